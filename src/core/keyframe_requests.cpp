#include "core/keyframe_requests.hpp"

namespace wscam {

bool keyframe_requests::decide(clock::time_point now) {
    snapshot_ = requested_.load(std::memory_order_acquire);
    if (snapshot_ <= served_) return false;
    if (has_keyframe_ && now - last_keyframe_ < min_interval_) return false;  // asked again too soon: wait
    ++forced_;
    return true;
}

void keyframe_requests::encoded(bool keyframe, clock::time_point now) {
    if (!keyframe) return;
    has_keyframe_ = true;
    last_keyframe_ = now;
    if (snapshot_ > served_) served_ = snapshot_;
}

}  // namespace wscam
