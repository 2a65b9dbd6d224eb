#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace wscam {

/**
 * Renders the test camera's picture: scrolling colour bars, a bouncing square, and the
 * frame number and wall-clock time with milliseconds drawn large, so that freezes,
 * stutter and latency are visible to a person and in screenshots.
 */
class test_card {
public:
    /** `noise` (0-100) adds per-pixel noise to make frames as large as a real camera's. */
    test_card(int width, int height, int noise = 0, std::string label = "WSCAM TEST PATTERN");

    /** Draws frame number `n` showing `unix_us` (microseconds since the epoch, shown in local time). */
    void render(std::uint64_t n, std::int64_t unix_us);

    void set_noise(int noise);
    /** -100..100: shifts every pixel of the picture (not the text) darker or lighter. */
    void set_brightness(int brightness) { brightness_ = brightness; }

    const std::uint8_t* rgb() const { return rgb_.data(); }
    int width() const { return width_; }
    int height() const { return height_; }

private:
    void fill_box(int x, int y, int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b);
    void add_noise();

    int width_;
    int height_;
    int noise_;
    int brightness_ = 0;
    std::string label_;
    std::vector<std::uint8_t> rgb_;
    std::vector<std::uint8_t> bar_row_;  // two widths of the bar pattern, for scrolling by memcpy
    std::uint64_t rng_ = 0x9E3779B97F4A7C15ull;
};

}  // namespace wscam
