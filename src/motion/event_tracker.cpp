#include "motion/event_tracker.hpp"

namespace wscam::motion {

verdict event_tracker::end() {
    verdict v;
    if (active_) {
        active_ = false;
        v.ended = true;
    }
    candidate_.reset();
    return v;
}

verdict event_tracker::quiet(std::int64_t now_us) {
    if (active_ && now_us - event_.last_motion_us >= cooldown_us_) return end();
    return {};
}

verdict event_tracker::offline() { return end(); }

verdict event_tracker::picture(const sample& s, std::int64_t at_us) {
    verdict v = quiet(at_us);
    if (!s.motion) {
        candidate_.reset();
        return v;
    }
    const box where = s.area.value_or(box{});
    // This picture is the open event's peak when it scores higher than any before it.
    auto peak = [&] {
        if (s.score <= event_.peak_score) return false;
        event_.peak_score = s.score;
        event_.peak_us = at_us;
        event_.peak_box = where;
        v.new_peak = verdict::peak::current;
        return true;
    };
    if (active_) {
        event_.last_motion_us = at_us;
        peak();
        return v;
    }
    if (candidate_ && at_us - candidate_->last_motion_us <= in_a_row_us && at_us > candidate_->last_motion_us) {
        event_ = *candidate_;
        candidate_.reset();
        event_.last_motion_us = at_us;
        active_ = true;
        v.started = true;
        if (!peak()) v.new_peak = verdict::peak::previous;
        return v;
    }
    candidate_ = tracked_event{at_us, at_us, at_us, s.score, where};
    return v;
}

}  // namespace wscam::motion
