#include "core/frame.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>

namespace wscam {
namespace {

constexpr std::size_t sequence_offset = 8;  // docs/PROTOCOL.md, frame header

void put_be(std::uint8_t* p, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        p[i] = static_cast<std::uint8_t>(v & 0xff);
        v >>= 8;
    }
}

std::uint64_t get_be(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    return v;
}

std::atomic<std::size_t> live_frames{0};

}  // namespace

void frame::set_sequence(std::span<std::uint8_t> framed, std::uint64_t sequence) {
    if (framed.size() < header_size) throw std::invalid_argument("not a wscam.v1 frame");
    put_be(framed.data() + sequence_offset, sequence, 8);
}

std::vector<std::uint8_t> frame::make_storage(std::size_t jpeg_capacity) {
    return std::vector<std::uint8_t>(header_size + jpeg_capacity);
}

std::vector<std::uint8_t> frame::make_storage(std::span<const std::uint8_t> jpeg) {
    // vector(n) would zero-fill all n bytes and the copy then overwrite them: reserve the
    // exact size, zero only the header room (the frame writes it), append the JPEG.
    std::vector<std::uint8_t> storage;
    storage.reserve(header_size + jpeg.size());
    storage.resize(header_size);
    storage.insert(storage.end(), jpeg.begin(), jpeg.end());
    return storage;
}

frame::frame(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info,
             std::uint64_t sequence, std::int64_t publish_us)
    : bytes_(std::move(storage)), info_(info), sequence_(sequence), publish_us_(publish_us) {
    if (bytes_.size() < header_size + jpeg_size)
        throw std::invalid_argument("frame storage smaller than header + jpeg size");
    bytes_.resize(header_size + jpeg_size);
    // A frame may be pinned by a viewer that stopped reading: it must not keep spare capacity
    // (e.g. an encoder's worst-case buffer). Encoders hand in exact buffers; this is the guard.
    if (bytes_.capacity() > bytes_.size() + bytes_.size() / 8 + 4096) bytes_.shrink_to_fit();
    // Header fields are big-endian (network order, DataView's default).
    std::uint8_t* h = bytes_.data();
    h[0] = info.type;
    h[1] = static_cast<std::uint8_t>(header_size);
    put_be(h + 2, info.width, 2);
    put_be(h + 4, info.height, 2);
    h[6] = info.keyframe ? flag_keyframe : 0;
    h[7] = 0;
    put_be(h + sequence_offset, sequence, 8);
    put_be(h + 16, static_cast<std::uint64_t>(info.capture_us), 8);
    put_be(h + 24, static_cast<std::uint64_t>(publish_us), 8);
    live_frames.fetch_add(1, std::memory_order_relaxed);
}

frame::~frame() { live_frames.fetch_sub(1, std::memory_order_relaxed); }

std::size_t frame::live_count() { return live_frames.load(std::memory_order_relaxed); }

bool parse_frame_header(std::span<const std::uint8_t> m, frame_header& out) {
    if (m.size() < frame::header_size) return false;
    out.type = m[0];
    out.header_size = m[1];
    out.flags = m[6];
    if ((out.type != frame::header_type_jpeg && out.type != frame::header_type_h264) ||
        out.header_size < frame::header_size ||
        out.header_size > m.size())
        return false;
    out.width = static_cast<std::uint16_t>(get_be(&m[2], 2));
    out.height = static_cast<std::uint16_t>(get_be(&m[4], 2));
    out.sequence = get_be(&m[8], 8);
    out.capture_us = static_cast<std::int64_t>(get_be(&m[16], 8));
    out.publish_us = static_cast<std::int64_t>(get_be(&m[24], 8));
    return true;
}

std::int64_t unix_now_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace wscam
