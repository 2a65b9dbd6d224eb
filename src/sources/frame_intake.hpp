#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "codec/jpeg_codec.hpp"
#include "core/rate_limit.hpp"
#include "core/stream.hpp"
#include "sources/source_status.hpp"

namespace wscam {

/**
 * Where frames from outside (files, pipes, cameras, publishers) enter a stream. Every frame
 * is checked before anyone sees it: size cap, JPEG start/end markers, a header TurboJPEG can
 * read (width and height come from it), a picture no larger than the pixel cap. Bad frames are counted and logged at most every
 * 5 s, never forwarded, never fatal. One per source (not thread-safe).
 */
class frame_intake {
public:
    frame_intake(std::shared_ptr<stream> hub, std::size_t max_frame_bytes,
                 std::uint64_t max_frame_pixels = 40'000'000);

    /** Checks and publishes; returns false (with `reason()`) when the frame was refused. */
    bool offer(std::span<const std::uint8_t> jpeg, std::int64_t capture_us = 0);

    /** Why the last frame was refused. */
    const std::string& reason() const { return reason_; }
    std::uint64_t accepted() const { return accepted_; }
    std::uint64_t rejected() const { return rejected_; }

private:
    bool refuse(std::string reason);

    std::shared_ptr<stream> hub_;
    std::size_t max_frame_bytes_;
    std::uint64_t max_frame_pixels_;
    jpeg_decoder decoder_;
    rate_limit log_limit_{std::chrono::seconds(5)};
    std::string reason_;
    std::uint64_t accepted_ = 0;
    std::uint64_t rejected_ = 0;
    int width_ = 0, height_ = 0;  // of the last frame, to tell the hub when the camera's size changes
};


/** Human name of a TurboJPEG subsampling value ("4:2:0", ...). */
const char* subsampling_name(int tjsamp);

}  // namespace wscam
