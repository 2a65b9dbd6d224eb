#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace wscam {

/**
 * Reconnect delays: exponential from `initial` to `max`, each with ±`jitter` (a fraction)
 * so that many cameras restarting together do not retry in lockstep.
 */
class backoff {
public:
    using duration = std::chrono::milliseconds;

    backoff(duration initial, duration max, double jitter = 0.3, std::uint64_t seed = std::random_device{}())
        : initial_(initial), max_(max), jitter_(jitter), rng_(seed) {}

    /** The delay before the next attempt; each call doubles the base up to max. */
    duration next() {
        const auto base = std::min(max_, duration(initial_.count() << std::min<unsigned>(attempt_, 30)));
        if (base < max_) ++attempt_;
        std::uniform_real_distribution<double> spread(1.0 - jitter_, 1.0 + jitter_);
        return duration(static_cast<std::int64_t>(static_cast<double>(base.count()) * spread(rng_)));
    }

    /** After a success: the next failure starts from `initial` again. */
    void reset() { attempt_ = 0; }
    unsigned attempts() const { return attempt_; }

private:
    duration initial_, max_;
    double jitter_;
    std::mt19937_64 rng_;
    unsigned attempt_ = 0;
};

}  // namespace wscam
