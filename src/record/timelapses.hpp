#pragma once

#include <map>
#include <mutex>
#include <memory>
#include <string>

#include "core/stream.hpp"
#include "record/cluster_holds.hpp"
#include "record/timelapse.hpp"

namespace wscam::record {

/**
 * The timelapses of a server's streams, made to match what the configuration asks (at start and
 * after each reload): one per stream with `timelapse` set, whether or not it is recorded. Used
 * from one thread at a time (start-up, the reload thread, shutdown).
 */
class timelapses {
public:
    explicit timelapses(std::shared_ptr<stream_registry> registry) : registry_(std::move(registry)) {}

    /**
     * Keeps exactly the timelapses in `wanted` (by stream name): starts new ones, stops those no
     * longer wanted (their file is closed, complete), restarts one whose settings or stream
     * changed (its day goes on in the next part). One that cannot start throws segment_error when
     * `strict` (at start) and is logged otherwise (a reload).
     */
    void apply(const std::map<std::string, timelapse_settings>& wanted, bool strict);
    /** The cluster's word, as recordings::hold: a held stream's timelapse is kept by another node. */
    void hold(const std::string& stream, bool hold);
    /** In a cluster: every stream is held until hold() says otherwise. */
    void hold_until_told();
    /** Whether this node keeps `stream`'s timelapse now. */
    bool runs(const std::string& stream) const;
    void stop_all();

private:
    struct entry {
        std::shared_ptr<stream> source;
        std::unique_ptr<timelapse> lapse;
    };
    void apply_asked(bool strict);  // mutex_ held

    std::shared_ptr<stream_registry> registry_;
    mutable std::mutex mutex_;  // apply(), hold() and runs() come from the reload and cluster threads
    std::map<std::string, timelapse_settings> asked_;
    cluster_holds holds_;
    std::map<std::string, entry> running_;
};

}  // namespace wscam::record
