#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/stream.hpp"
#include "events/event_fanout.hpp"
#include "motion/detection_pool.hpp"
#include "motion/motion_watch.hpp"
#include "record/cluster_holds.hpp"

namespace wscam::motion {

/**
 * The streams that look for motion, made to match what the configuration asks (at start and after
 * each reload): one motion_watch per stream with `motion = true`, all sharing one detection pool
 * and one event fan-out. In a cluster a stream configured on two nodes is watched by the node that
 * records it (the same cluster word as recordings and timelapses), so its events are not doubled.
 * apply() and hold() from one thread at a time; stats() from any.
 */
class motion_watches {
public:
    motion_watches(std::shared_ptr<stream_registry> registry, std::shared_ptr<events::event_fanout> outputs, unsigned threads);
    ~motion_watches();

    void apply(const std::map<std::string, settings>& wanted);
    void hold(const std::string& stream, bool hold);
    void hold_until_told();
    bool runs(const std::string& stream) const;
    std::optional<watch_stats> stats(const std::string& stream) const;
    void stop_all();

private:
    void apply_asked();  // mutex_ held

    std::shared_ptr<stream_registry> registry_;
    std::shared_ptr<events::event_fanout> outputs_;
    detection_pool pool_;
    mutable std::mutex mutex_;
    std::map<std::string, settings> asked_;
    record::cluster_holds holds_;
    std::map<std::string, std::shared_ptr<motion_watch>> running_;
};

}  // namespace wscam::motion
