#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace wscam {

/** What a source knows about a picture it captured. */
struct frame_info {
    std::uint16_t width = 0;
    std::uint16_t height = 0;
    std::int64_t capture_us = 0;  // capture time, microseconds since the Unix epoch
    std::uint8_t type = 1;        // frame::header_type_jpeg, _h264 or _fmp4
    bool keyframe = false;        // H.264, fMP4: an IDR access unit (with SPS and PPS), where a decoder can start
};

/**
 * One encoded picture, immutable once published and shared by every viewer: a JPEG, or
 * (type 2) one H.264 access unit in Annex B form.
 *
 * The bytes are stored once, behind a fixed 32-byte wscam.v1 header, so that plain
 * clients (which get `jpeg()`) and wscam.v1 clients (which get `framed()`) send views of
 * the same buffer: encode once, send many. Layout in docs/PROTOCOL.md.
 */
class frame {
public:
    static constexpr std::size_t header_size = 32;
    static constexpr std::uint8_t header_type_jpeg = 1;
    static constexpr std::uint8_t header_type_h264 = 2;
    static constexpr std::uint8_t header_type_fmp4 = 3;  // an fMP4 media segment of one H.264 unit (MSE)
    static constexpr std::uint8_t flag_keyframe = 1;  // header byte 6, bit 0

    /** A buffer with room for the header followed by `jpeg_capacity` bytes of JPEG. */
    static std::vector<std::uint8_t> make_storage(std::size_t jpeg_capacity);

    /**
     * A buffer of exactly the header followed by a copy of `jpeg`: one allocation, one copy,
     * and no zero-fill of the bytes the copy overwrites (for JPEGs that arrive from outside).
     */
    static std::vector<std::uint8_t> make_storage(std::span<const std::uint8_t> jpeg);

    /**
     * Takes `storage` (from make_storage, JPEG written at offset header_size, `jpeg_size`
     * bytes long) and fills in the header.
     */
    frame(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info,
          std::uint64_t sequence, std::int64_t publish_us);
    ~frame();
    frame(const frame&) = delete;
    frame& operator=(const frame&) = delete;

    /** How many frames exist in this process: memory bounds are checked against it. */
    static std::size_t live_count();

    /** Rewrites the sequence number in a wscam.v1 header (`framed`: a copy of framed()'s bytes). */
    static void set_sequence(std::span<std::uint8_t> framed, std::uint64_t sequence);

    /** The payload after the header: the JPEG (or, for an H.264 frame, the access unit). */
    std::span<const std::uint8_t> jpeg() const { return payload(); }
    std::span<const std::uint8_t> payload() const {
        return {bytes_.data() + header_size, bytes_.size() - header_size};
    }
    std::span<const std::uint8_t> framed() const { return {bytes_.data(), bytes_.size()}; }
    /** Heap bytes this frame keeps alive (its buffer's capacity). */
    std::size_t memory_bytes() const { return bytes_.capacity(); }

    std::uint64_t sequence() const { return sequence_; }
    std::uint16_t width() const { return info_.width; }
    std::uint16_t height() const { return info_.height; }
    std::int64_t capture_us() const { return info_.capture_us; }
    std::int64_t publish_us() const { return publish_us_; }
    std::uint8_t type() const { return info_.type; }
    bool h264() const { return info_.type == header_type_h264; }
    bool keyframe() const { return info_.keyframe; }

private:
    std::vector<std::uint8_t> bytes_;
    frame_info info_;
    std::uint64_t sequence_;
    std::int64_t publish_us_;
};

using frame_ptr = std::shared_ptr<const frame>;

/** Decoded wscam.v1 frame header, for clients and tests. */
struct frame_header {
    std::uint8_t type = 0;
    std::uint8_t header_size = 0;
    std::uint8_t flags = 0;
    std::uint16_t width = 0;
    std::uint16_t height = 0;
    std::uint64_t sequence = 0;
    std::int64_t capture_us = 0;
    std::int64_t publish_us = 0;
};

/** Reads the header of a wscam.v1 binary message (JPEG or H.264); false if it is too short or not a frame. */
bool parse_frame_header(std::span<const std::uint8_t> message, frame_header& out);

/** Microseconds since the Unix epoch, from the system clock. */
std::int64_t unix_now_us();

}  // namespace wscam
