#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/stream.hpp"
#include "record/recorder.hpp"

namespace wscam::record {

/**
 * The recorders of a server's streams, one per recorded stream, made to match what the
 * configuration asks (at start and after each reload). Used from one thread at a time
 * (start-up, the reload thread, shutdown); stats() from any.
 */
class recordings {
public:
    /** A stream's H.264 rendition to record from, or nullopt when the server encodes no H.264. */
    using feed_for = std::function<std::optional<h264_feed>(const std::shared_ptr<stream>&)>;

    recordings(std::shared_ptr<stream_registry> registry, feed_for h264);
    ~recordings() { stop_all(); }
    recordings(const recordings&) = delete;
    recordings& operator=(const recordings&) = delete;

    /**
     * Records exactly the streams in `wanted` (by name), each with its settings: starts new
     * recorders, stops those no longer wanted (their open segment is closed), restarts one whose
     * settings or stream changed. A recorder that cannot start throws segment_error when
     * `strict` (at start: wscam refuses to run) and is logged and skipped otherwise (a reload).
     */
    void apply(const std::map<std::string, recording_settings>& wanted, bool strict);
    void stop_all();
    std::size_t size() const;
    /** What the stream's recorder is doing; nullopt if it is not recorded. */
    std::optional<recording_stats> stats(const std::string& name) const;

private:
    struct entry {
        std::shared_ptr<stream> source;
        std::unique_ptr<recorder> rec;
    };

    std::shared_ptr<stream_registry> registry_;
    feed_for h264_;
    mutable std::mutex mutex_;  // guards running_ for stats(); apply runs on one thread
    std::map<std::string, entry> running_;
};

}  // namespace wscam::record
