#include "record/clip_gate.hpp"

#include <algorithm>

namespace wscam::record {

clip_gate::clip_gate(std::int64_t preroll_us, std::int64_t postroll_us, std::int64_t max_us, bool h264,
                     std::size_t max_bytes)
    : preroll_us_(preroll_us), postroll_us_(postroll_us), max_us_(max_us), h264_(h264), max_bytes_(max_bytes) {}

void clip_gate::start(std::int64_t now_us) {
    if (!open_) flush_ = true;
    open_ = true;
    end_us_ = now_us + max_us_;
}

void clip_gate::stop(std::int64_t now_us) {
    if (open_) end_us_ = std::min(end_us_, now_us + postroll_us_);
}

clip_gate::verdict clip_gate::offer(frame_ptr picture) {
    verdict v;
    const auto at = picture->capture_us();
    if (open_ && at > end_us_) {
        open_ = false;
        flush_ = false;
        v.ended = true;
    }
    if (!open_) {
        hold(std::move(picture));
        return v;
    }
    if (flush_) {
        flush_ = false;
        v.write.assign(held_.begin(), held_.end());
        held_.clear();
        held_bytes_ = 0;
    }
    v.write.push_back(std::move(picture));
    return v;
}

void clip_gate::hold(frame_ptr picture) {
    // An H.264 pre-roll starts at a keyframe: what comes before the first is of no use.
    if (h264_ && held_.empty() && !picture->keyframe()) return;
    const auto newest = picture->capture_us();
    held_bytes_ += picture->memory_bytes();
    held_.push_back(std::move(picture));
    auto too_old = [&](const frame_ptr& f) { return f->capture_us() < newest - preroll_us_; };
    if (!h264_) {
        while (!held_.empty() && (too_old(held_.front()) || held_bytes_ > max_bytes_)) drop_front();
        return;
    }
    // H.264: drop a whole keyframe interval at a time, while the next keyframe is still old
    // enough to start the pre-roll (or the bytes are over).
    for (;;) {
        const auto next_key = std::find_if(held_.begin() + 1, held_.end(), [](const frame_ptr& f) { return f->keyframe(); });
        const bool over = held_bytes_ > max_bytes_;
        if (next_key == held_.end()) {
            if (over) {  // one interval alone is too much: nothing is kept
                held_.clear();
                held_bytes_ = 0;
            }
            return;
        }
        // The next keyframe starts after the pre-roll does: the one in front is needed.
        if (!over && (*next_key)->capture_us() > newest - preroll_us_) return;
        for (auto n = next_key - held_.begin(); n > 0; --n) drop_front();
    }
}

void clip_gate::drop_front() {
    held_bytes_ -= held_.front()->memory_bytes();
    held_.pop_front();
}

}  // namespace wscam::record
