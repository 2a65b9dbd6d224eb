#include "rtsp/reader_gate.hpp"

namespace wscam::rtsp {

reader_gate::verdict reader_gate::offer(bool keyframe, std::size_t waiting, clock::time_point now) {
    if (waiting >= max_waiting_) {
        if (!full_since_) full_since_ = now;
        if (!behind_) ++fell_behind_;
        behind_ = true;
        waiting_for_keyframe_ = true;
        ++dropped_;
        return verdict::drop;
    }
    full_since_.reset();  // it reads again
    if (waiting_for_keyframe_ && !keyframe) {
        if (behind_) ++dropped_;
        return behind_ ? verdict::drop : verdict::wait;
    }
    waiting_for_keyframe_ = false;
    behind_ = false;
    ++pushed_;
    return verdict::push;
}

bool reader_gate::timed_out(clock::time_point now) const {
    return write_timeout_ > clock::duration::zero() && full_since_ && now - *full_since_ >= write_timeout_;
}

}  // namespace wscam::rtsp
