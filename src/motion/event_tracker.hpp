#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "motion/motion_detector.hpp"

namespace wscam::motion {

/** An event as the tracker knows it: when it began, its last motion, its peak. */
struct tracked_event {
    std::int64_t start_us = 0;        // capture time of the first picture with motion
    std::int64_t last_motion_us = 0;  // capture time of the latest picture with motion: the end, once it ends
    std::int64_t peak_us = 0;         // capture time of the picture with the highest score
    double peak_score = 0;
    box peak_box;
};

/** What one call changed. */
struct verdict {
    bool started = false;  // an event began (at event().start_us, the picture before this one)
    bool ended = false;    // the open event ended (at its last_motion_us); event() still tells it
    enum class peak { none, previous, current } new_peak = peak::none;  // which picture is the event's peak now
};

/**
 * Pictures' samples into events. Pure, times injected (capture times, Unix µs).
 *
 * Rules:
 *  - An event starts when two pictures in a row show motion (one picture may be a glitch: a
 *    dropped packet, a flash); it starts at the first one's time. Pictures more than 1 s apart
 *    are not "in a row".
 *  - It goes on while motion returns within `cooldown`, and ends `cooldown` after its last
 *    motion, at that last motion's time: two crossings closer than the cooldown are one event.
 *    The end is seen at the next picture, or at quiet() when no picture comes.
 *  - Offline ends an open event at once (at its last motion). A camera that comes back is
 *    learnt again (the detector's job), so a flapping camera makes no events.
 *  - Its peak is the picture with the highest score; a learning or relit picture is no motion.
 */
class event_tracker {
public:
    explicit event_tracker(std::chrono::milliseconds cooldown) : cooldown_us_(cooldown.count() * 1000) {}

    verdict picture(const sample& s, std::int64_t at_us);
    /** No picture came: ends an event whose cooldown passed by `now_us`. */
    verdict quiet(std::int64_t now_us);
    /** The camera went offline: ends an open event. */
    verdict offline();

    bool active() const { return active_; }
    /** The open event, or the one that just ended. */
    const tracked_event& event() const { return event_; }

    static constexpr std::int64_t in_a_row_us = 1'000'000;

private:
    verdict end();

    std::int64_t cooldown_us_;
    bool active_ = false;
    tracked_event event_;
    std::optional<tracked_event> candidate_;  // one picture with motion, waiting for a second
};

}  // namespace wscam::motion
