// libFuzzer target: what another node sends over NATS (anyone who can reach the cluster's NATS
// can send it too). The bytes as an announce: parse_announce never throws, what it accepts
// encodes and parses back to the same announce, and drives a cluster_state through ownership,
// interest and expiry. The same bytes as a frame message: check_relayed_frame accepts only what
// it promises. And as a subject: stream_of reads back only subjects that frame() builds.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cluster/cluster_state.hpp"
#include "cluster/messages.hpp"
#include "cluster/subjects.hpp"
#include "core/text.hpp"

namespace {

using namespace wscam::cluster;
using namespace std::chrono_literals;

void check_views(const actions& a) {
    for (const auto& v : a.upsert)
        if (!wscam::is_clean_text(v.status.reason) || !wscam::is_clean_text(v.status.message) ||
            !wscam::is_clean_text(v.info.source))
            __builtin_trap();
}

void run_state(const announce& a) {
    cluster_state state("self", 1);
    state.set_local_streams({"cam"});
    const auto now = clock::time_point() + 1h;
    check_views(state.on_announce(a, now));
    for (const auto& s : a.streams) state.set_local_viewers(s.name, 1, now);
    const auto mine = encode_announce(state.make_announce({}, false));
    if (!parse_announce(mine)) __builtin_trap();  // what this node says, the others read
    check_views(state.tick(now + 4s));
    // Silent since: every stream it claimed (but ours) is gone after the timeout plus ten minutes.
    std::size_t remote = 0;
    if (a.node != "self" && !a.leaving)
        for (const auto& s : a.streams) remote += s.name != "cam";
    if (state.tick(now + 11min).forget.size() != remote) __builtin_trap();
}

void check_frame(std::span<const std::uint8_t> bytes) {
    constexpr std::size_t max_bytes = 1 << 20;
    constexpr std::uint64_t max_pixels = 1'000'000;
    static wscam::jpeg_decoder decoder;
    std::string why;
    const auto f = check_relayed_frame(bytes, max_bytes, max_pixels, decoder, &why);
    if (!f) {
        if (why.empty()) __builtin_trap();
        return;
    }
    const auto& j = f->jpeg;
    if (j.data() < bytes.data() + 32 || j.data() + j.size() != bytes.data() + bytes.size()) __builtin_trap();
    if (j.size() < 4 || j.size() > max_bytes || j[0] != 0xFF || j[1] != 0xD8 || j[j.size() - 1] != 0xD9) __builtin_trap();
    if (f->width == 0 || f->height == 0 || std::uint64_t{f->width} * f->height > max_pixels || f->sequence == 0)
        __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    if (const auto a = parse_announce(text, &error)) {
        for (const auto& s : a->streams)
            if (!wscam::is_clean_text(s.reason) || !wscam::is_clean_text(s.message) || !wscam::is_clean_text(s.source))
                __builtin_trap();
        const auto encoded = encode_announce(*a);
        const auto again = parse_announce(encoded);
        // Defaults written out can make a near-limit input's encoding larger than the limit.
        if (encoded.size() <= max_announce_bytes && (!again || !(*again == *a))) __builtin_trap();
        run_state(*a);
    } else if (error.empty()) {
        __builtin_trap();
    }
    check_frame({data, size});
    if (unescape_token(escape_token(text)) != text) __builtin_trap();
    const subjects names;
    if (const auto stream = names.stream_of(text, "frame"); stream && names.frame(*stream) != text) __builtin_trap();
    return 0;
}
