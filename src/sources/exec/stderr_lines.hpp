#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace wscam {

/**
 * A program's stderr as log lines: splits its bytes at line breaks (`\n`, or `\r` as
 * progress meters use), makes each line safe to log (core/text: valid UTF-8, no escape
 * sequences, at most 512 bytes) and lets at most `per_second` lines a second through. The
 * others are counted and reported once that second is over, as "N lines suppressed", so a
 * chatty program cannot flood the log.
 */
class stderr_lines {
public:
    using clock = std::chrono::steady_clock;
    using emit_fn = std::function<void(const std::string& line)>;

    explicit stderr_lines(emit_fn emit, unsigned per_second = 5) : emit_(std::move(emit)), per_second_(per_second) {}

    void feed(std::string_view bytes, clock::time_point now);

    /** Reports the lines held back once their second is over; call it now and then. */
    void tick(clock::time_point now);

    /** The output ended: logs an unfinished last line and what was held back. */
    void finish(clock::time_point now);

private:
    void line(clock::time_point now);

    emit_fn emit_;
    unsigned per_second_;
    std::string partial_;
    clock::time_point window_start_{};
    unsigned in_window_ = 0;
    std::uint64_t suppressed_ = 0;
};

}  // namespace wscam
