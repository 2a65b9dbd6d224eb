#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace wscam {

/**
 * Splits a byte stream of concatenated JPEGs (ffmpeg's `-f mjpeg`, a .mjpeg file, a camera's
 * raw output) into whole JPEGs, however the bytes are cut into reads.
 *
 * It walks JPEG marker segments by their lengths, so an EXIF thumbnail's FFD9 inside an
 * APP1 segment does not end the frame early, and scans entropy-coded data for the EOI
 * marker. Bytes outside a JPEG are skipped; a frame larger than `max_frame_bytes` is
 * dropped and the splitter resynchronises on the next SOI.
 */
class mjpeg_splitter {
public:
    /** `jpeg` is valid only during the call (the splitter reuses its buffer for the next frame). */
    using frame_callback = std::function<void(std::span<const std::uint8_t> jpeg)>;

    mjpeg_splitter(std::size_t max_frame_bytes, frame_callback on_frame)
        : max_frame_bytes_(max_frame_bytes), on_frame_(std::move(on_frame)) {}

    void feed(std::span<const std::uint8_t> data);

    std::uint64_t frames() const { return frames_; }
    std::uint64_t skipped_bytes() const { return skipped_bytes_; }  // garbage between frames
    std::uint64_t oversized() const { return oversized_; }

private:
    enum class state { seek_soi, seek_soi_second, marker, segment_length, skip_segment, entropy, entropy_ff };

    void step(std::uint8_t b);
    void restart();  // SOI seen: a new frame begins (an unfinished one is discarded)
    void emit();     // EOI seen: the frame is whole
    void abandon();  // too large: drop it and look for the next SOI

    std::size_t max_frame_bytes_;
    frame_callback on_frame_;
    state state_ = state::seek_soi;
    std::vector<std::uint8_t> frame_;
    bool in_frame_ = false;
    std::uint8_t length_bytes_[2]{};
    int length_have_ = 0;
    std::size_t skip_left_ = 0;
    bool after_sos_ = false;  // the segment being skipped is SOS: entropy-coded data follows
    bool marker_ff_seen_ = false;
    std::uint64_t frames_ = 0;
    std::uint64_t skipped_bytes_ = 0;
    std::uint64_t oversized_ = 0;
};

}  // namespace wscam
