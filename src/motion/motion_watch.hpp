#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "codec/jpeg_codec.hpp"
#include "core/stream.hpp"
#include "events/event_fanout.hpp"
#include "motion/detection_pool.hpp"
#include "motion/event_tracker.hpp"

namespace wscam::motion {

using watch_stats = events::detection_stats;

/**
 * One stream's motion detection. A tap on the stream (counting as a viewer, so the camera stays
 * on) keeps only the newest picture and asks the detection pool for a turn; the turn decodes its
 * brightness at about 160 pixels wide, runs the detector and the event tracker, and hands each
 * start and end to the event fan-out with the peak's picture. Nothing is queued: a picture that
 * waits while a newer one comes is replaced (counted as skipped).
 *
 * The camera going offline ends an open event and says so (state "offline"); stop() ends an
 * open event too, so an output never stays "motion" for a detection that no longer runs.
 */
class motion_watch : public detection_pool::job, public std::enable_shared_from_this<motion_watch> {
public:
    motion_watch(std::shared_ptr<stream> s, settings settings, std::shared_ptr<events::event_fanout> outputs,
                 detection_pool& pool);
    ~motion_watch() override;

    /** Subscribes to the stream (after construction: the tap needs shared_from_this). */
    void start();
    /** Unsubscribes, ends an open event; waits for a turn in progress. */
    void stop();

    const settings& config() const { return settings_; }
    const std::shared_ptr<stream>& source() const { return stream_; }
    watch_stats stats() const;

    void run() override;
    void tick() override;

    /** The width the detector looks at (TurboJPEG's 1/2, 1/4, 1/8: the largest scale at most this wide). */
    static constexpr int look_width = 160;

private:
    class tap;
    void offered(frame_ptr f);
    void status_changed(bool online);
    void tell(events::change c, const frame_ptr& snapshot);  // work_mutex_ held

    std::shared_ptr<stream> stream_;
    settings settings_;
    std::shared_ptr<events::event_fanout> outputs_;
    detection_pool& pool_;
    std::shared_ptr<tap> tap_;

    std::mutex slot_mutex_;  // the picture waiting and the offline flag: the tap writes, the turn takes
    frame_ptr waiting_;
    bool went_offline_ = false;
    bool online_ = false;
    std::uint64_t stats_skipped_pending_ = 0;

    mutable std::mutex work_mutex_;  // what a turn changes; stop() and stats() too
    bool stopped_ = false;
    detector detector_;
    event_tracker tracker_;
    jpeg_decoder decoder_;
    std::vector<std::uint8_t> grey_;
    frame_ptr previous_, peak_;
    int width_ = 0, height_ = 0;
    watch_stats stats_;
    bool logged_undecodable_ = false;
};

}  // namespace wscam::motion
