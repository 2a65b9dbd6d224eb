#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "codec/mjpeg_splitter.hpp"
#include "core/stream.hpp"
#include "sources/frame_intake.hpp"
#include "sources/source_options.hpp"

namespace wscam {

/**
 * Reads an MJPEG byte stream (`ffmpeg -f mjpeg -`, a camera program's stdout, a FIFO) from a
 * non-blocking descriptor into a stream: splits it into JPEGs however the reads cut it,
 * checks each (frame_intake), publishes the good ones and sets the stream online. Remembers
 * when the last good one came, for stall checks. Shared by `pipe:` and `exec:`; one per
 * source thread.
 */
class mjpeg_stream_reader {
public:
    using clock = std::chrono::steady_clock;

    mjpeg_stream_reader(std::shared_ptr<stream> hub, const intake_options& options);
    mjpeg_stream_reader(const mjpeg_stream_reader&) = delete;
    mjpeg_stream_reader& operator=(const mjpeg_stream_reader&) = delete;

    /** Reads what `fd` holds now (call it when poll says readable). False at end of input or on a read error. */
    bool read_available(int fd);

    /** A new producer: the time without a frame counts from now, and a half-read frame is dropped. */
    void restart();

    /** Time since the last good frame, or since restart(). */
    clock::duration since_last_frame() const { return clock::now() - last_frame_; }

    /** Good frames so far (never reset). */
    std::uint64_t accepted() const { return intake_.accepted(); }

private:
    void offer(std::span<const std::uint8_t> jpeg);

    std::shared_ptr<stream> hub_;
    std::size_t max_frame_bytes_;
    frame_intake intake_;
    mjpeg_splitter splitter_;
    std::vector<std::uint8_t> chunk_;
    clock::time_point last_frame_ = clock::now();
};

}  // namespace wscam
