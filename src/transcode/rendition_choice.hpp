#pragma once

#include <chrono>

namespace wscam {

/** A stream's H.264 renditions: the one everyone gets, and one capped for slow links. */
enum class rendition { full, reduced };

inline const char* to_string(rendition r) { return r == rendition::full ? "full" : "reduced"; }

/**
 * Which rendition one H.264 viewer should get. Everyone starts on the full one. A viewer that
 * falls behind on it (its link cannot carry the stream) moves to the reduced one, which is
 * capped at a rate slow links carry. After `first_wait` on the reduced one without falling
 * behind there, it tries the full one again (a probe); a probe that falls behind within
 * `probe_window` sends it back down and doubles the wait before the next (up to `max_wait`),
 * a probe that lasts resets it. A viewer that also falls behind on the reduced one stays
 * there and its calm period starts over: its link cannot carry even that.
 *
 * Pure: the caller passes the time and moves the viewer when the answer changes. Not thread-safe.
 */
class rendition_choice {
public:
    using clock = std::chrono::steady_clock;
    struct timing {
        clock::duration first_wait = std::chrono::seconds(10);
        clock::duration max_wait = std::chrono::seconds(160);
        clock::duration probe_window = std::chrono::seconds(10);
    };

    /** `has_reduced` false: there is no reduced rendition (turned off); the answer is always full. */
    explicit rendition_choice(bool has_reduced) : rendition_choice(has_reduced, timing()) {}
    rendition_choice(bool has_reduced, timing t) : has_reduced_(has_reduced), timing_(t), wait_(t.first_wait) {}

    rendition current() const { return current_; }

    /** It fell behind at `now`: the rendition it should get from now on. */
    rendition fell_behind(clock::time_point now);

    /** A unit came at `now`: the rendition it should get (full when a probe is due). */
    rendition on_unit(clock::time_point now);

    /** Moving failed (the reduced encoder could not start): it stays on `r`. */
    void stay(rendition r, clock::time_point now);

    /** The wait before the next probe, for the log and tests. */
    clock::duration wait() const { return wait_; }
    bool probing() const { return probing_; }

private:
    bool has_reduced_;
    timing timing_;
    rendition current_ = rendition::full;
    bool probing_ = false;            // on full to try it, since since_
    clock::time_point since_{};       // of the last move (or the last fall on the reduced one)
    clock::duration wait_;
};

}  // namespace wscam
