#pragma once

#include <chrono>
#include <cstdint>

namespace wscam {

/**
 * Deadlines for a steady frame rate without drift: frame n is due at start + n / fps,
 * computed from the start each time rather than by adding periods, so rounding never
 * accumulates. A producer that falls behind serves the latest missed deadline at once and
 * skips the older ones instead of bursting to catch up (latest frame wins here too).
 */
class frame_pacer {
public:
    using clock = std::chrono::steady_clock;

    frame_pacer(double fps, clock::time_point start);

    /** When the next frame is due. */
    clock::time_point next_deadline() const { return deadline(index_); }

    /**
     * A frame was produced at `now`; moves to the next deadline, skipping all but the
     * latest of those already past. Returns how many were skipped.
     */
    std::uint64_t advance(clock::time_point now);

    /** Restarts the schedule (after an idle period). */
    void restart(clock::time_point start);

    double fps() const { return fps_; }
    std::uint64_t skipped() const { return skipped_; }

private:
    clock::time_point deadline(std::uint64_t n) const;

    double fps_;
    clock::time_point start_;
    std::uint64_t index_ = 0;
    std::uint64_t skipped_ = 0;
};

}  // namespace wscam
