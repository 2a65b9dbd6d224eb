#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/frame_sink.hpp"

namespace wscam {

/**
 * How a source on an event loop learns that someone may want frames now, instead of asking
 * the hub every so often: the hub calls notify() when a viewer arrives or resumes. `wake`
 * must not block (it posts to the source's loop); disarm() before the loop goes away.
 */
class demand_watch {
public:
    explicit demand_watch(std::function<void()> wake) : wake_(std::move(wake)) {}
    void notify() {
        std::lock_guard lock(mutex_);
        if (wake_) wake_();
    }
    /** No wake after this returns. */
    void disarm() {
        std::lock_guard lock(mutex_);
        wake_ = nullptr;
    }

private:
    std::mutex mutex_;
    std::function<void()> wake_;
};

/**
 * A fan-out: holds the newest frame and hands each new one to every subscriber; knows how many
 * viewers want frames now, and when it has ended. It has no name, status or controls: a
 * `stream` owns one and adds those; an H.264 rendition's output is a bare one.
 *
 * Sources call publish() from their own thread; it never waits for a viewer. Subscribers are
 * held weakly in a copy-on-write list and told everything outside the lock.
 *
 * Invariants (tests/core/frame_hub_test.cpp races each):
 *  - The newest frame and the list change under one lock: a new subscriber gets each frame
 *    exactly once, either returned by subscribe() or through on_frame.
 *  - The end and the list change under one lock: every subscriber hears on_removed once.
 *  - No call into a sink or a demand_watch under the lock, except viewers() (an atomic read)
 *    in wait_for_viewers's predicate.
 */
class frame_hub {
public:
    /** Wraps a JPEG written into `storage` at frame::header_size, numbers it and sends it to every subscriber. */
    frame_ptr publish(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info);

    /**
     * The same under a number chosen by the caller (an H.264 unit under its JPEG's number, so a
     * viewer can match them); a later publish() continues from it.
     */
    frame_ptr publish_numbered(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info,
                               std::uint64_t sequence);

    /** The newest frame, or null before the first one. */
    frame_ptr latest() const;

    /** Frames and their JPEG bytes published so far (frames counted, not numbers). */
    struct totals {
        std::uint64_t frames = 0;
        std::uint64_t bytes = 0;
    };
    totals published() const;

    /** Adds a subscriber; returns the newest frame so it can start at once. An ended hub tells it at once. */
    frame_ptr subscribe(const std::shared_ptr<frame_sink>& sink);
    void unsubscribe(const frame_sink* sink);

    /**
     * Calls `f` on every subscriber still alive, outside the lock, on the calling thread: the one
     * way anything is told to the subscribers. A change of state is made before this is called
     * (then a subscriber that misses this list joined after the change, and reads it).
     */
    template <class F>
    void notify(F&& f) const {
        each(*subscribers(), f);
    }

    /** Viewers who want frames now (summed over the sinks; paused ones do not count). */
    std::size_t viewer_count() const;
    /** A sink's viewers() changed (a viewer paused or resumed): wakes wait_for_viewers. */
    void demand_changed();
    /** The source's demand_watch (one per hub; null removes it): notified as wait_for_viewers is woken. */
    void watch_demand(std::shared_ptr<demand_watch> watch);
    /**
     * Blocks until at least one viewer wants frames or `stop` is requested.
     * Sources call it to capture only on demand. Returns false when stopped.
     */
    bool wait_for_viewers(std::stop_token stop);

    /**
     * Ends the hub: every subscriber hears on_removed(reason) once, and one that subscribes later
     * hears it at once. Only the first call counts (returns true); "" means "stream removed".
     */
    bool remove(const std::string& reason);
    /** Why the hub ended; empty while it serves. */
    std::string removed() const;

private:
    struct sink_entry {
        const frame_sink* id;
        std::weak_ptr<frame_sink> sink;
    };
    using sink_list = std::vector<sink_entry>;

    /** The subscribers now: the copy-on-write list, taken under the lock and read outside it. */
    std::shared_ptr<const sink_list> subscribers() const;
    /** Calls `f` on each live sink of a list taken under the lock: outside it. */
    template <class F>
    static void each(const sink_list& sinks, F&& f) {
        for (const auto& entry : sinks)
            if (auto sink = entry.sink.lock()) f(*sink);
    }
    /** publish() and publish_numbered(): `sequence`, or else the hub's next number. */
    frame_ptr publish_as(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info,
                         std::optional<std::uint64_t> sequence);

    mutable std::mutex mutex_;
    std::condition_variable_any demand_;
    std::shared_ptr<const sink_list> sinks_ = std::make_shared<const sink_list>();
    frame_ptr latest_;
    std::uint64_t next_sequence_ = 1;
    totals published_;
    std::string removed_;
    std::shared_ptr<demand_watch> demand_watch_;
};

}  // namespace wscam
