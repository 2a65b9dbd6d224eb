#include "server/mjpeg_rate.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

TEST(mjpeg_rate, no_value_means_every_frame) {
    EXPECT_EQ(parse_mjpeg_fps(""), 0.0);
    EXPECT_EQ(mjpeg_min_interval_us(0), 0);
}

TEST(mjpeg_rate, rates_from_one_frame_per_100_s_to_1000_a_second) {
    EXPECT_EQ(parse_mjpeg_fps("2"), 2.0);
    EXPECT_EQ(parse_mjpeg_fps("0.01"), 0.01);
    EXPECT_EQ(parse_mjpeg_fps("1e-2"), 0.01);
    EXPECT_EQ(parse_mjpeg_fps("1000"), 1000.0);
    EXPECT_EQ(mjpeg_min_interval_us(2), 450'000);  // 10 % slack for the camera's jitter
    EXPECT_EQ(mjpeg_min_interval_us(0.01), 90'000'000);
    EXPECT_EQ(mjpeg_min_interval_us(1000), 900);
}

TEST(mjpeg_rate, tiny_huge_and_non_numbers_are_refused) {
    // 1e-14 made 1e6 / fps overflow the conversion to int64 (undefined behaviour) and lifted the cap.
    for (const char* bad : {"1e-14", "0.0099", "0", "-0", "-1", "1000.5", "1e400", "nan", "NaN", "inf", "-inf",
                            "infinity", "2fps", " 2", "+2", "0x10", "2 ", "1e", "."})
        EXPECT_FALSE(parse_mjpeg_fps(bad).has_value()) << bad;
}

TEST(mjpeg_rate, an_interval_is_never_computed_from_a_rate_outside_the_bounds) {
    EXPECT_EQ(mjpeg_min_interval_us(1e-14), 0);
    EXPECT_EQ(mjpeg_min_interval_us(-1), 0);
    EXPECT_EQ(mjpeg_min_interval_us(1e9), 0);
}

}  // namespace
}  // namespace wscam
