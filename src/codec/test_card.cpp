#include "codec/test_card.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "codec/bitmap_font.hpp"

namespace wscam {
namespace {

// 75% colour bars, the broadcast test signal people recognise.
constexpr std::uint8_t bars[7][3] = {{191, 191, 191}, {191, 191, 0}, {0, 191, 191}, {0, 191, 0},
                                     {191, 0, 191},   {191, 0, 0},   {0, 0, 191}};

}  // namespace

test_card::test_card(int width, int height, int noise, std::string label)
    : width_(width), height_(height), noise_(std::clamp(noise, 0, 100)), label_(std::move(label)) {
    if (width < 16 || height < 16) throw std::invalid_argument("test pattern needs at least 16x16");
    rgb_.resize(static_cast<std::size_t>(width) * height * 3);
    bar_row_.resize(static_cast<std::size_t>(width) * 2 * 3);
    for (int x = 0; x < width * 2; ++x) {
        const auto* c = bars[(x % width) * 7 / width];
        std::memcpy(&bar_row_[static_cast<std::size_t>(x) * 3], c, 3);
    }
}

void test_card::set_noise(int noise) { noise_ = std::clamp(noise, 0, 100); }

void test_card::fill_box(int x, int y, int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    const int x0 = std::max(0, x), x1 = std::min(width_, x + w);
    const int y0 = std::max(0, y), y1 = std::min(height_, y + h);
    for (int py = y0; py < y1; ++py) {
        std::uint8_t* p = &rgb_[(static_cast<std::size_t>(py) * width_ + x0) * 3];
        for (int px = x0; px < x1; ++px, p += 3) {
            p[0] = r;
            p[1] = g;
            p[2] = b;
        }
    }
}

void test_card::add_noise() {
    // xorshift64: cheap, and high-frequency noise is what makes JPEGs big.
    const int amplitude = noise_ * 255 / 100;
    if (amplitude == 0) return;
    for (std::size_t i = 0; i < rgb_.size(); i += 3) {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        const int delta = static_cast<int>(rng_ % static_cast<std::uint64_t>(amplitude + 1)) - amplitude / 2;
        for (int c = 0; c < 3; ++c)
            rgb_[i + c] = static_cast<std::uint8_t>(std::clamp(rgb_[i + c] + delta, 0, 255));
    }
}

void test_card::render(std::uint64_t n, std::int64_t unix_us) {
    const int w = width_, h = height_;
    const std::size_t row_bytes = static_cast<std::size_t>(w) * 3;

    // Colour bars scrolling left one period every ~4 s at 30 fps.
    const int shift = static_cast<int>((n * static_cast<std::uint64_t>(std::max(1, w / 120))) % static_cast<std::uint64_t>(w));
    const int bars_end = h * 2 / 3;
    for (int y = 0; y < bars_end; ++y)
        std::memcpy(&rgb_[y * row_bytes], &bar_row_[static_cast<std::size_t>(shift) * 3], row_bytes);
    // Grey ramp below, static: a reference for compression artefacts.
    for (int y = bars_end; y < h; ++y) {
        std::uint8_t* p = &rgb_[y * row_bytes];
        for (int x = 0; x < w; ++x, p += 3) p[0] = p[1] = p[2] = static_cast<std::uint8_t>(x * 255 / (w - 1));
    }

    // A square bouncing across the bars: motion is easy to judge by eye.
    const int side = std::max(8, h / 8);
    const int span_x = std::max(1, w - side), span_y = std::max(1, bars_end - side);
    const auto tx = static_cast<int>(n * 7 % static_cast<std::uint64_t>(2 * span_x));
    const auto ty = static_cast<int>(n * 5 % static_cast<std::uint64_t>(2 * span_y));
    fill_box(tx < span_x ? tx : 2 * span_x - tx, ty < span_y ? ty : 2 * span_y - ty, side, side, 255, 255, 255);

    if (noise_ > 0) add_noise();
    if (brightness_ != 0) {
        const int shift = brightness_ * 255 / 100;
        for (auto& v : rgb_) v = static_cast<std::uint8_t>(std::clamp(v + shift, 0, 255));
    }

    // Text last, on dark boxes, so it stays readable whatever the noise.
    const std::time_t seconds = static_cast<std::time_t>(unix_us / 1000000);
    const int millis = static_cast<int>((unix_us / 1000) % 1000);
    std::tm local{};
    localtime_r(&seconds, &local);
    char clock_text[32];
    std::snprintf(clock_text, sizeof clock_text, "%02d:%02d:%02d.%03d", local.tm_hour, local.tm_min, local.tm_sec,
                  millis);
    char counter_text[32];
    std::snprintf(counter_text, sizeof counter_text, "#%06llu", static_cast<unsigned long long>(n));

    const int big = std::max(1, w / 110);
    const int small = std::max(1, big / 2);
    const int pad = big * 2;
    const int line = bitmap_font::glyph_height * big;
    const int clock_w = bitmap_font::text_width(clock_text, big);
    const int counter_w = bitmap_font::text_width(counter_text, big);
    const int box_w = std::max(clock_w, counter_w) + 2 * pad;
    const int box_h = 2 * line + 3 * pad;
    const int box_x = (w - box_w) / 2, box_y = (h - box_h) / 2;
    fill_box(box_x, box_y, box_w, box_h, 16, 16, 16);
    bitmap_font::draw(rgb_.data(), w, h, box_x + pad, box_y + pad, big, clock_text, 255, 255, 255);
    bitmap_font::draw(rgb_.data(), w, h, box_x + pad, box_y + 2 * pad + line, big, counter_text, 255, 220, 0);

    char size_text[24];
    std::snprintf(size_text, sizeof size_text, "%dx%d", w, h);
    const int label_h = bitmap_font::glyph_height * small + 2 * small;
    fill_box(0, 0, w, label_h + 2 * small, 16, 16, 16);
    bitmap_font::draw(rgb_.data(), w, h, 2 * small, 2 * small, small, label_, 255, 255, 255);
    bitmap_font::draw(rgb_.data(), w, h, w - bitmap_font::text_width(size_text, small) - small, 2 * small, small,
                      size_text, 200, 200, 200);
}

}  // namespace wscam
