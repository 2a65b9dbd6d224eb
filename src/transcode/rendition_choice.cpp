#include "transcode/rendition_choice.hpp"

#include <algorithm>

namespace wscam {

rendition rendition_choice::fell_behind(clock::time_point now) {
    if (!has_reduced_) return current_;
    if (current_ == rendition::full) {
        // A probe that failed waits twice as long before the next; a viewer that was on full
        // all along (or whose probe had lasted) starts with the first wait.
        wait_ = probing_ ? std::min(wait_ * 2, timing_.max_wait) : timing_.first_wait;
        probing_ = false;
        current_ = rendition::reduced;
    }
    since_ = now;
    return current_;
}

rendition rendition_choice::on_unit(clock::time_point now) {
    if (current_ == rendition::full) {
        if (probing_ && now - since_ >= timing_.probe_window) probing_ = false;  // the probe lasted
        return current_;
    }
    if (now - since_ >= wait_) {
        current_ = rendition::full;
        probing_ = true;
        since_ = now;
    }
    return current_;
}

void rendition_choice::stay(rendition r, clock::time_point now) {
    current_ = r;
    probing_ = false;
    since_ = now;
}

}  // namespace wscam
