#include "transcode/keyframe_requests.hpp"

namespace wscam {

bool keyframe_requests::decide(clock::time_point now) {
    const bool join = joins_.take_snapshot();
    const bool resync = resyncs_.take_snapshot();
    const auto since = now - last_keyframe_;
    const bool force = (join && (!has_keyframe_ || since >= min_interval_)) ||
                       (resync && (!has_keyframe_ || since >= resync_interval_));
    if (force) ++forced_;
    return force;
}

void keyframe_requests::encoded(bool keyframe, clock::time_point now) {
    if (!keyframe) return;
    has_keyframe_ = true;
    last_keyframe_ = now;
    joins_.served = joins_.snapshot;
    resyncs_.served = resyncs_.snapshot;
}

}  // namespace wscam
