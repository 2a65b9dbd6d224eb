#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "record/segment_writer.hpp"

struct AVCodecParameters;

namespace wscam::record {

/** One picture of a segment as it was recorded: the camera's JPEG, or an H.264 access unit. */
struct recorded_picture {
    std::span<const std::uint8_t> data;  // valid until the next call to next()
    std::int64_t capture_us = 0;         // when it was captured (Unix µs; exact in wscam's own segments)
    std::int64_t duration_us = 0;        // until the next picture (or the segment's end)
    bool keyframe = false;
};

/**
 * The pictures of one segment file in order, read with libavformat, each with its capture time
 * (the segment's start, from its name, plus the picture's place on the track). What export,
 * snapshots and the index read segments with. Not thread-safe; throws segment_error when the
 * file cannot be opened or holds no H.264 or MJPEG track.
 */
class segment_packets {
public:
    /** `start_us`: the capture time of the segment's first picture (segment_start of its name). */
    segment_packets(const std::filesystem::path& file, std::int64_t start_us);
    ~segment_packets();
    segment_packets(const segment_packets&) = delete;
    segment_packets& operator=(const segment_packets&) = delete;

    /** The next picture, or nullopt at the end (or where a damaged file stops making sense). */
    std::optional<recorded_picture> next();
    /**
     * Goes to the keyframe captured at or before `at_us` (the segment's first picture when
     * `at_us` is before it): next() then reads from there. libavformat indexes a fragmented
     * file's fragments when it opens it, so this reads no picture it skips (a minute of VGA
     * JPEGs: 0.03 ms, where reading up to the time took the whole file). False if it cannot.
     */
    bool seek(std::int64_t at_us);

    record::codec codec() const { return codec_; }
    int width() const;
    int height() const;
    /** The track's parameters (codec, size, H.264's avcC), for a muxer that copies the track. */
    const AVCodecParameters& parameters() const;
    /** libavformat's duration of the file, when it states one (µs; 0: unknown). */
    std::int64_t stated_duration_us() const;

private:
    struct demuxer;
    std::unique_ptr<demuxer> demux_;
    std::int64_t start_us_;
    record::codec codec_ = codec::mjpeg;
};

/** Segments to read in order: each file and the capture time of its first picture. */
using segment_files = std::vector<std::pair<std::filesystem::path, std::int64_t>>;

/**
 * Opens `files[i]`; null when it is gone (deleted since it was listed), or when it is the last
 * one, `newest_may_be_empty`, and cannot be read yet (its recorder has just created it, with
 * nothing in it yet). Every other failure throws segment_error. Null means: go on with the next.
 */
std::unique_ptr<segment_packets> open_listed(const segment_files& files, std::size_t i, bool newest_may_be_empty);

}  // namespace wscam::record
