#include "sources/exec/stderr_lines.hpp"

#include "core/text.hpp"

namespace wscam {

void stderr_lines::feed(std::string_view bytes, clock::time_point now) {
    for (const char c : bytes) {
        if (c == '\n' || c == '\r') {
            line(now);
        } else if (partial_.size() <= max_outside_text_bytes) {
            partial_.push_back(c);  // one byte over the cap, so that sanitize_text marks the cut with "…"
        }
    }
}

void stderr_lines::line(clock::time_point now) {
    if (partial_.find_first_not_of(" \t\v\f") == std::string::npos) {
        partial_.clear();
        return;
    }
    tick(now);
    if (in_window_ == 0) window_start_ = now;
    if (in_window_ < per_second_) {
        ++in_window_;
        emit_(sanitize_text(partial_));
    } else {
        ++suppressed_;
    }
    partial_.clear();
}

void stderr_lines::tick(clock::time_point now) {
    if (in_window_ == 0 || now - window_start_ < std::chrono::seconds(1)) return;
    if (suppressed_ > 0) emit_(std::to_string(suppressed_) + (suppressed_ == 1 ? " line" : " lines") + " suppressed");
    suppressed_ = 0;
    in_window_ = 0;
}

void stderr_lines::finish(clock::time_point now) {
    line(now);
    if (suppressed_ > 0) emit_(std::to_string(suppressed_) + (suppressed_ == 1 ? " line" : " lines") + " suppressed");
    suppressed_ = 0;
    in_window_ = 0;
}

}  // namespace wscam
