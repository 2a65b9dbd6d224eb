#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

// How often something may happen: log lines about the same thing (rate_limit) and requests of
// one peer (token_bucket). Not thread-safe: each lives under its owner's lock or on one thread.
namespace wscam {

/** Lets one event through per `interval` and counts the ones it holds back (for log lines). */
class rate_limit {
public:
    using clock = std::chrono::steady_clock;
    explicit rate_limit(clock::duration interval) : interval_(interval) {}

    /** True when this event may be logged; `suppressed` then holds how many were held back since the last one. */
    bool allow(clock::time_point now, std::uint64_t& suppressed) {
        if (has_last_ && now - last_ < interval_) {
            ++held_;
            return false;
        }
        has_last_ = true;
        last_ = now;
        suppressed = held_;
        held_ = 0;
        return true;
    }

private:
    clock::duration interval_;
    clock::time_point last_{};
    bool has_last_ = false;
    std::uint64_t held_ = 0;
};

/** Allows a burst of `burst` events, then `per_second` on average; for peers' requests. */
class token_bucket {
public:
    using clock = std::chrono::steady_clock;
    token_bucket(double per_second, double burst) : rate_(per_second), burst_(burst), tokens_(burst) {}

    /** True (and one token spent) when the event may go ahead at `now`. */
    bool take(clock::time_point now) {
        if (has_last_) tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
        has_last_ = true;
        last_ = now;
        if (tokens_ < 1) return false;
        tokens_ -= 1;
        return true;
    }

private:
    double rate_, burst_, tokens_;
    clock::time_point last_{};
    bool has_last_ = false;
};

}  // namespace wscam
