#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace wscam::record {

/** How a stream is recorded: the H.264 the server already encodes, or the camera's own JPEGs. */
enum class codec { h264, mjpeg };

/** What a segment holds: set once, when it is opened. */
struct segment_format {
    record::codec codec = codec::mjpeg;
    int width = 0;
    int height = 0;
    /** H.264 only: the keyframe that starts the segment (Annex B, with SPS and PPS in band). */
    std::vector<std::uint8_t> h264_keyframe;
    /** Timeline between fragments: a crash loses at most about this much (1: each picture, when the next comes). */
    std::int64_t fragment_us = 1'000'000;
};

/** A segment could not be opened or written: what failed, with libavformat's reason. */
class segment_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** A segment's file is not there (retention or a DELETE removed it after it was listed). */
class segment_gone : public segment_error {
public:
    using segment_error::segment_error;
};

/**
 * One fragmented MP4 file, written with libavformat (the mp4 muxer, never our own boxes): an
 * empty `moov` first, then a `moof`+`mdat` fragment about every second, so the file plays in
 * ffmpeg, VLC and Chromium while it is still being written and a crash loses at most the
 * fragment in memory.
 *
 * Timing: each picture's place on the timeline is its capture time (since the segment's
 * first), and its duration is the time to the next picture, so a segment plays at the rate it
 * was captured even when the camera's rate varied. That is why a picture is held until the
 * next one arrives (close() gives the last one its duration).
 *
 * Not thread-safe: one recorder's writer thread owns it. Throws segment_error.
 */
class segment_writer {
public:
    /** Creates `path` (it must not exist) and writes the header; `start_us` is the first picture's capture time. */
    segment_writer(const std::string& path, const segment_format& format, std::int64_t start_us);
    ~segment_writer();
    segment_writer(const segment_writer&) = delete;
    segment_writer& operator=(const segment_writer&) = delete;

    /**
     * Adds a picture captured at `capture_us` (a JPEG, or an H.264 access unit in Annex B). A
     * time earlier than the previous one's is moved just after it (the timeline never goes back).
     */
    void add(std::span<const std::uint8_t> payload, std::int64_t capture_us, bool keyframe);

    /** Writes the held picture (lasting until `end_us`), the last fragment and the index; the file is complete. */
    void close(std::int64_t end_us);

    std::int64_t start_us() const { return start_us_; }
    /** The capture time of the newest picture added; start_us() before the first. */
    std::int64_t last_us() const { return last_us_; }
    /** After close(): where the last picture ends (its capture time plus its duration). */
    std::int64_t end_us() const { return end_us_; }
    std::uint64_t frames() const { return frames_; }
    /** Bytes in the file so far (what has reached it, not what the muxer still holds). */
    std::uint64_t bytes() const;

private:
    struct muxer;
    void write_held(std::int64_t until_us);

    std::unique_ptr<muxer> mux_;
    std::int64_t start_us_;
    std::int64_t last_us_;
    std::int64_t fragment_start_us_;
    std::int64_t fragment_us_;
    std::int64_t end_us_ = 0;
    std::uint64_t frames_ = 0;
    std::vector<std::uint8_t> held_;  // the newest picture, written when the next one comes
    std::int64_t held_us_ = 0;
    bool held_keyframe_ = false;
    bool holding_ = false;
    bool closed_ = false;
};

}  // namespace wscam::record
