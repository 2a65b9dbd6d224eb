#include "transcode/size_change_gate.hpp"

namespace wscam {

size_change_gate::verdict size_change_gate::decide(int width, int height, clock::time_point now) {
    const size s{width, height};
    const auto reopen = [&] {
        open_ = true;
        current_ = s;
        opened_ = now;
        candidate_count_ = 0;
        return verdict::reopen;
    };
    if (!open_) return reopen();
    if (s == current_) {
        candidate_count_ = 0;  // a run of another size is broken
        return verdict::encode;
    }
    if (candidate_count_ == 0 || s != candidate_) {
        candidate_ = s;
        candidate_count_ = 0;
        candidate_since_ = now;
    }
    ++candidate_count_;
    const bool stable = candidate_count_ >= stable_pictures_ || (candidate_count_ >= 2 && now - candidate_since_ >= stable_time_);
    if (stable && now - opened_ >= min_interval_) return reopen();
    ++skipped_;
    return verdict::skip;
}

}  // namespace wscam
