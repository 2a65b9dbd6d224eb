#include "record/segment_policy.hpp"

namespace wscam::record {

segment_policy::action segment_policy::start(bool keyframe, std::int64_t capture_us, int width, int height) {
    if (h264_ && !keyframe) {
        wants_keyframe_ = true;
        return action::skip;
    }
    open_ = true;
    wants_keyframe_ = false;
    start_us_ = last_us_ = capture_us;
    width_ = width;
    height_ = height;
    return action::open;
}

segment_policy::action segment_policy::next(std::int64_t capture_us, bool keyframe, int width, int height) {
    if (!open_) return start(keyframe, capture_us, width, height);
    const bool broken = width != width_ || height != height_ || capture_us - last_us_ > gap_us_;
    const bool due = capture_us - start_us_ >= segment_us_;
    if (!broken && !due) {
        last_us_ = capture_us;
        return action::write;
    }
    if (!h264_ || keyframe) {
        start(keyframe, capture_us, width, height);
        return action::cut;
    }
    if (broken) {  // a new size or a gap, and no keyframe to start from: end here, wait for one
        open_ = false;
        wants_keyframe_ = true;
        return action::close;
    }
    wants_keyframe_ = true;  // due: keep writing until the keyframe asked for comes
    last_us_ = capture_us;
    return action::write;
}

bool segment_policy::gap() {
    const bool was_open = open_;
    open_ = false;
    wants_keyframe_ = true;
    return was_open;
}

}  // namespace wscam::record
