#pragma once

#include <chrono>
#include <cstdint>
#include <utility>

namespace wscam {

/**
 * When an encoder made for one picture size is reopened at another. A camera may change its size
 * for good (an ESP32 told a new framesize), or send pictures of two sizes in turn (a broken or
 * hostile one: x264 was reopened at every picture, with a log line each, 600 in 10 s). So the
 * encoder keeps its size until a new one has come `stable_pictures` times in a row, or without
 * a break for `stable_time` (a slow camera's second picture), and is reopened at most once per
 * `min_interval`; pictures of another size meanwhile are skipped. Pure: time is given.
 */
class size_change_gate {
public:
    using clock = std::chrono::steady_clock;
    enum class verdict { encode, reopen, skip };

    explicit size_change_gate(int stable_pictures = 3, clock::duration stable_time = std::chrono::seconds(1),
                              clock::duration min_interval = std::chrono::seconds(1))
        : stable_pictures_(stable_pictures), stable_time_(stable_time), min_interval_(min_interval) {}

    /** For a picture of `width`x`height` at `now`: encode it, reopen at its size first (then counted as open), or skip it. */
    verdict decide(int width, int height, clock::time_point now);
    /** The encoder is gone (it failed): the next picture opens one at its own size at once. */
    void close() { open_ = false; }
    /** Pictures skipped since the start because their size was not the encoder's. */
    std::uint64_t skipped() const { return skipped_; }

private:
    using size = std::pair<int, int>;
    int stable_pictures_;
    clock::duration stable_time_;
    clock::duration min_interval_;
    bool open_ = false;
    size current_{};           // the encoder's
    clock::time_point opened_;  // when it was last (re)opened
    size candidate_{};         // the other size seen in the pictures since the last one of current_
    int candidate_count_ = 0;
    clock::time_point candidate_since_;
    std::uint64_t skipped_ = 0;
};

}  // namespace wscam
