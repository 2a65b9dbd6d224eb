#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace wscam {

/**
 * Viewers' requests for a keyframe (a new H.264 viewer, one that fell behind, a decoder that
 * failed), served by an encoder at most once per `min_interval`: each forced IDR costs several
 * times an ordinary picture, for every viewer of the stream, so a crowd joining (or one viewer
 * asking in a loop) must not turn the stream into keyframes only.
 *
 * request() may be called from any thread; decide() and encoded() by the encoder's thread only.
 */
class keyframe_requests {
public:
    using clock = std::chrono::steady_clock;

    explicit keyframe_requests(clock::duration min_interval = std::chrono::milliseconds(500))
        : min_interval_(min_interval) {}

    void request() { requested_.fetch_add(1, std::memory_order_acq_rel); }

    /**
     * Before encoding a picture: whether to force an IDR now. Requests made from here on are
     * not served by this picture (their viewer may have missed it) and stay pending.
     */
    bool decide(clock::time_point now);

    /** After encoding it: a keyframe (forced or periodic) serves every request made before decide(). */
    void encoded(bool keyframe, clock::time_point now);

    bool pending() const { return requested_.load(std::memory_order_acquire) > served_; }
    std::uint64_t forced() const { return forced_; }

private:
    clock::duration min_interval_;
    std::atomic<std::uint64_t> requested_{0};
    std::uint64_t served_ = 0;     // requests up to this count are served
    std::uint64_t snapshot_ = 0;   // requested_ at the last decide()
    bool has_keyframe_ = false;
    clock::time_point last_keyframe_{};
    std::uint64_t forced_ = 0;
};

}  // namespace wscam
