#include "motion/motion_detector.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace wscam::motion {
namespace {

constexpr std::int64_t ms = 1000;
constexpr int W = 160, H = 120;

/** A mid-grey picture with sensor noise (uniform, +-`noise`), a square of `size` at (x, y) in white, all `light` brighter. */
std::vector<std::uint8_t> scene(std::mt19937& rng, int noise, int light = 0, int x = -1, int y = 0, int size = 16) {
    std::vector<std::uint8_t> p(W * H);
    std::uniform_int_distribution<int> n(-noise, noise);
    for (int j = 0; j < H; ++j)
        for (int i = 0; i < W; ++i) {
            int v = 96 + light + (noise ? n(rng) : 0);
            if (x >= 0 && i >= x && i < x + size && j >= y && j < y + size) v = 240;
            p[j * W + i] = static_cast<std::uint8_t>(std::clamp(v, 0, 255));
        }
    return p;
}

sample look(detector& d, const std::vector<std::uint8_t>& p, std::int64_t at) { return d.look(grey_view{p.data(), W, H}, at); }

TEST(motion_detector, learns_first_then_a_still_noisy_picture_is_no_motion) {
    std::mt19937 rng(1);
    detector d(settings{});
    std::int64_t t = 0;
    EXPECT_TRUE(look(d, scene(rng, 10), t).learning) << "the first picture is the background";
    for (int i = 1; i < 300; ++i) {
        t += 100 * ms;
        const auto s = look(d, scene(rng, 10), t);
        EXPECT_EQ(s.learning, t < detector::learn_us) << i;
        EXPECT_FALSE(s.motion) << "sensor noise is not motion, picture " << i << " score " << s.score;
    }
}

TEST(motion_detector, impulse_noise_is_not_motion_even_when_little_area_is_enough) {
    std::mt19937 rng(6);
    settings sensitive;
    sensitive.min_area = 0.0005;  // 10 pixels of 160x120: five pairs of hot pixels side by side would be enough
    detector d(sensitive);
    std::bernoulli_distribution hit(0.01);
    std::int64_t t = 0;
    for (int i = 0; i < 100; ++i, t += 100 * ms) {
        auto p = scene(rng, 4);
        if (i >= 15)  // after the background is learnt
            for (auto& v : p)
                if (hit(rng)) v = 255;  // a hot pixel here and there, somewhere else each picture
        const auto s = look(d, p, t);
        EXPECT_FALSE(s.motion) << "picture " << i << " score " << s.score;
    }
}

TEST(motion_detector, a_square_crossing_is_motion_with_its_box) {
    std::mt19937 rng(2);
    detector d(settings{});
    std::int64_t t = 0;
    for (int i = 0; i < 20; ++i, t += 100 * ms) look(d, scene(rng, 6), t);
    for (int x = 0; x + 16 <= W; x += 8, t += 100 * ms) {
        const auto s = look(d, scene(rng, 6, 0, x, 40), t);
        ASSERT_TRUE(s.motion) << "square at " << x;
        ASSERT_TRUE(s.area);
        EXPECT_NEAR(s.area->y, 40.0 / H, 0.5 / H);
        EXPECT_NEAR(s.area->h, 16.0 / H, 0.5 / H);
        // Where it is now, and at most the step it came from (the background keeps up within a picture or two).
        EXPECT_LE(s.area->x, x / double(W) + 1e-9);
        EXPECT_GE(s.area->x + s.area->w, (x + 16) / double(W) - 1e-9);
        EXPECT_LE(s.area->w, (16.0 + 16) / W + 1e-9) << "x " << x;
        EXPECT_NEAR(s.score, 256.0 / (W * H), 260.0 / (W * H));
    }
}

TEST(motion_detector, a_slow_ramp_of_light_is_followed_and_a_light_switch_is_learnt_not_seen) {
    std::mt19937 rng(3);
    detector d(settings{});
    std::int64_t t = 0;
    // 3 levels a second for 40 s: 120 levels in all.
    for (int i = 0; i < 400; ++i, t += 100 * ms) {
        const auto s = look(d, scene(rng, 6, i * 3 / 10 - 60), t);
        EXPECT_FALSE(s.motion) << "ramp, picture " << i;
    }
    // A light switched on: every pixel +40 at once: most of the picture changed, learnt again.
    auto s = look(d, scene(rng, 6, 59 + 40), t);
    EXPECT_TRUE(s.relit);
    EXPECT_FALSE(s.motion) << "a uniform step of light, score " << s.score;
    for (int i = 0; i < 12; ++i) {
        t += 100 * ms;
        s = look(d, scene(rng, 6, 59 + 40), t);
        EXPECT_FALSE(s.motion) << i;
    }
    // A step of exposure of 24 levels: too small to be taken as light, and the median takes it away
    // (with the noise on top, about half the pixels cross the threshold of 25 against the background as it is).
    t += 100 * ms;
    s = look(d, scene(rng, 6, 59 + 40 + 24), t);  // 219, far from 255: nothing clipped
    EXPECT_FALSE(s.relit);
    EXPECT_FALSE(s.motion) << "score " << s.score;
    // A lamp goes off over two thirds of the picture: most of it changed at once, learnt again.
    auto lamp = scene(rng, 6, 59 + 40 + 24);
    for (int j = 0; j < H; ++j)
        for (int i = 0; i < W * 2 / 3; ++i) lamp[j * W + i] = 20;
    t += 100 * ms;
    s = look(d, lamp, t);
    EXPECT_TRUE(s.relit);
    EXPECT_FALSE(s.motion);
    for (int i = 0; i < 30; ++i) {
        t += 100 * ms;
        s = look(d, lamp, t);
        EXPECT_FALSE(s.motion) << i;
    }
    EXPECT_FALSE(s.learning) << "learnt within a second";
}

TEST(motion_detector, the_mask_hides_what_it_covers_and_min_area_bounds_what_counts) {
    std::mt19937 rng(4);
    settings masked;
    masked.mask = {{{0, 0}, {0.5, 0}, {0.5, 1}, {0, 1}}};  // the left half
    detector d(masked);
    settings strict;
    strict.min_area = 0.05;  // 960 pixels: the square's 256 are not enough
    detector big(strict);
    std::int64_t t = 0;
    for (int i = 0; i < 20; ++i, t += 100 * ms) {
        const auto p = scene(rng, 4);
        look(d, p, t);
        look(big, p, t);
    }
    const auto left = scene(rng, 4, 0, 20, 50);
    EXPECT_FALSE(look(d, left, t).motion) << "in the mask";
    EXPECT_FALSE(look(big, left, t).motion) << "smaller than min_area";
    t += 100 * ms;
    const auto right = scene(rng, 4, 0, 120, 50);
    const auto s = look(d, right, t);
    EXPECT_TRUE(s.motion) << "outside the mask";
    EXPECT_NEAR(s.score, 256.0 / (W * H / 2), 0.01) << "a share of what is looked at";
}

TEST(motion_detector, reset_size_change_and_time_going_back_learn_again) {
    std::mt19937 rng(5);
    detector d(settings{});
    std::int64_t t = 0;
    for (int i = 0; i < 20; ++i, t += 100 * ms) look(d, scene(rng, 4), t);
    d.reset();
    EXPECT_TRUE(look(d, scene(rng, 4, 0, 50, 50), t).learning) << "after an offline camera: learn first";
    t += 2000 * ms;
    EXPECT_FALSE(look(d, scene(rng, 4, 0, 50, 50), t).motion) << "what was there when it came back is background";
    std::vector<std::uint8_t> small(80 * 60, 96);
    EXPECT_TRUE(d.look(grey_view{small.data(), 80, 60}, t + 100 * ms).learning) << "a new size";
    EXPECT_TRUE(d.look(grey_view{small.data(), 80, 60}, t).learning) << "a capture time going back";
    EXPECT_TRUE(d.look(grey_view{nullptr, 0, 0}, t).learning) << "nothing to look at";
}

}  // namespace
}  // namespace wscam::motion
