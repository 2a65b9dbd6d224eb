#include "transcode/access_unit_queue.hpp"

namespace wscam {

bool access_unit_queue::offer(frame_ptr unit) {
    if (!unit || unit->sequence() <= last_sequence_) return waiting_;
    last_sequence_ = unit->sequence();
    if (unit->keyframe()) {
        // Everything still waiting is older than a picture that needs none of it.
        skipped_ += pending_.size();
        pending_.clear();
        pending_.push_back(std::move(unit));
        waiting_ = false;
        return false;
    }
    if (waiting_) {
        ++skipped_;
        return true;
    }
    if (pending_.size() >= max_pending_) {
        // Too far behind: what waits would only add latency, and skipping one unit breaks the
        // picture. Drop it all and start again at the next keyframe.
        skipped_ += pending_.size() + 1;
        pending_.clear();
        waiting_ = true;
        ++fell_behind_;
        return true;
    }
    pending_.push_back(std::move(unit));
    return false;
}

frame_ptr access_unit_queue::start_write() {
    if (in_flight_ || pending_.empty()) return nullptr;
    in_flight_ = std::move(pending_.front());
    pending_.pop_front();
    return in_flight_;
}

void access_unit_queue::write_done() {
    if (!in_flight_) return;
    in_flight_.reset();
    ++sent_;
}

void access_unit_queue::restart() {
    skipped_ += pending_.size();
    pending_.clear();
    waiting_ = true;
}

}  // namespace wscam
