#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/stream.hpp"
#include "record/clip_gate.hpp"
#include "record/recording_index.hpp"
#include "record/recording_stats.hpp"
#include "record/segment_writer.hpp"

namespace wscam::record {

/** Where an H.264 recording takes its access units: the stream's full rendition, as live viewers get it. */
struct h264_feed {
    std::shared_ptr<frame_hub> units;                  // the rendition's output
    std::function<bool(std::string* why)> start;       // runs the encoder (false: no encoder slot free)
    std::function<void()> request_keyframe;
};

/** How one stream is recorded. */
struct recording_settings {
    record::codec codec = codec::h264;
    std::filesystem::path folder;                    // this stream's segments
    std::chrono::seconds segment_length{300};
    std::chrono::seconds gap{5};                     // a pause this long ends a segment (the camera was lost)
    std::size_t queue_bytes = std::size_t{32} << 20;  // pictures waiting for the disk, at most
    bool events = false;                             // record = "events": clips only (clip_gate), else everything
    std::chrono::seconds preroll{5};                 // events: kept before a clip's start
    std::chrono::seconds postroll{5};                // events: kept after its stop
    bool operator==(const recording_settings&) const = default;
};

/**
 * Records one stream into fragmented MP4 segments (segment_writer), whether or not anyone
 * watches: it counts as a viewer of the stream, and of its H.264 rendition, so the camera and
 * the encoder stay on. Its taps (frame_sinks) only queue; a writer thread of its own writes
 * the files, so no I/O thread or source ever waits for the disk. The queue is bounded in bytes:
 * when the disk is too slow, new pictures are dropped (counted, logged) and an H.264 recording
 * resumes at the next keyframe. A write that fails (a full disk) stops recording with one log
 * line and a reason in stats(); it tries again every 5 s. Where segments start and end:
 * segment_policy. At start, what a crash left unfinished in the folder is repaired first.
 */
class recorder {
public:
    /** Called on the writer thread with each segment it finished, as the index will hold it. */
    using segment_done = std::function<void(const segment_entry&)>;

    /** Starts recording `s`; for H.264, `h264` is the rendition to record. Creates the folder. */
    recorder(std::shared_ptr<stream> s, recording_settings settings, std::optional<h264_feed> h264,
             segment_done done = {});
    /** Stops: the open segment is closed (complete and playable). */
    ~recorder();
    recorder(const recorder&) = delete;
    recorder& operator=(const recorder&) = delete;

    const recording_settings& settings() const { return settings_; }
    const std::shared_ptr<stream>& source() const { return stream_; }
    recording_stats stats() const;
    /** The segment being written (end: its newest picture; bytes: what reached the file), if one is open. */
    std::optional<segment_entry> open_segment() const;
    /**
     * Events recordings: a clip starts (with its pre-roll) or goes on, or it stops (after its
     * post-roll). Returns where the clip now ends (Unix µs); nullopt when this recorder records
     * everything (record = "continuous"). Any thread.
     */
    std::optional<std::int64_t> clip(bool start);
    /** A clip never stopped ends this long after its last start. */
    static constexpr std::int64_t max_clip_us = 600'000'000;

private:
    class inbox;
    class tap;
    struct writing;
    /** Segments a crash left unfinished are cut back to their last whole fragment (segment_repair). */
    void repair_folder();
    void run(std::stop_token stop);
    void take(const frame_ptr& f, writing& w);
    void open(const frame_ptr& f, writing& w);
    void finish(writing& w, std::int64_t end_us);
    void failed(writing& w, const std::string& why);

    std::shared_ptr<stream> stream_;
    recording_settings settings_;
    std::optional<h264_feed> h264_;
    segment_done done_;
    std::shared_ptr<inbox> inbox_;
    std::shared_ptr<tap> source_tap_;  // demand on the camera; the JPEGs when recording them; status
    std::shared_ptr<tap> units_tap_;   // H.264: the rendition's access units
    std::mutex clip_mutex_;
    std::optional<clip_gate> clips_;   // events only; under clip_mutex_ (the writer offers, HTTP threads start and stop)
    mutable std::mutex stats_mutex_;
    recording_stats stats_;
    segment_entry open_;  // while stats_.recording
    std::jthread writer_;              // last: it uses everything above
};

/**
 * A stream's folder exists (made if needed) and files can be created in it: checked before
 * wscam starts, so an unwritable folder is a clear error, not a recorder failing later.
 * Throws segment_error with the reason.
 */
void check_folder(const std::filesystem::path& folder);

/**
 * A segment's file name: its first picture's capture time in UTC to the microsecond, e.g.
 * 20261207T063000.123456Z.mp4: they sort by time, and a picture's time is this plus its pts.
 */
std::string segment_file_name(std::int64_t start_us);

}  // namespace wscam::record
