#include "transcode/size_change_gate.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

using namespace std::chrono_literals;
using verdict = size_change_gate::verdict;
const auto t0 = size_change_gate::clock::time_point() + 1h;

TEST(size_change_gate, the_first_picture_opens_and_the_same_size_encodes) {
    size_change_gate g;
    EXPECT_EQ(g.decide(320, 240, t0), verdict::reopen);
    for (int i = 1; i < 100; ++i) EXPECT_EQ(g.decide(320, 240, t0 + i * 33ms), verdict::encode);
    EXPECT_EQ(g.skipped(), 0u);
}

TEST(size_change_gate, two_sizes_in_turn_never_reopen_the_encoder) {
    // The review's camera: x264 was reopened at every picture, 600 log lines in 10 s.
    size_change_gate g;
    EXPECT_EQ(g.decide(320, 240, t0), verdict::reopen);
    for (int i = 1; i < 600; ++i)
        EXPECT_EQ(g.decide(i % 2 ? 352 : 320, i % 2 ? 288 : 240, t0 + i * 33ms), i % 2 ? verdict::skip : verdict::encode);
    EXPECT_EQ(g.skipped(), 300u);
}

TEST(size_change_gate, a_new_size_for_good_takes_over_after_three_pictures_and_at_most_once_a_second) {
    size_change_gate g;
    EXPECT_EQ(g.decide(320, 240, t0), verdict::reopen);
    auto t = t0 + 2s;
    EXPECT_EQ(g.decide(640, 480, t), verdict::skip);
    EXPECT_EQ(g.decide(640, 480, t + 33ms), verdict::skip);
    EXPECT_EQ(g.decide(640, 480, t + 66ms), verdict::reopen) << "the third picture in a row";
    EXPECT_EQ(g.decide(640, 480, t + 99ms), verdict::encode);
    // Back to the old size at once: three in a row, but not within a second of the last opening.
    for (int i = 0; i < 10; ++i) EXPECT_EQ(g.decide(320, 240, t + 132ms + i * 33ms), verdict::skip);
    EXPECT_EQ(g.decide(320, 240, t + 66ms + 1s), verdict::reopen);
}

TEST(size_change_gate, a_slow_cameras_second_picture_of_a_new_size_a_second_later_is_enough) {
    size_change_gate g;
    EXPECT_EQ(g.decide(320, 240, t0), verdict::reopen);
    EXPECT_EQ(g.decide(640, 480, t0 + 5s), verdict::skip);
    EXPECT_EQ(g.decide(640, 480, t0 + 6s), verdict::reopen) << "1 fps: two pictures a second apart";
}

TEST(size_change_gate, after_the_encoder_failed_the_next_picture_opens_one_at_once) {
    size_change_gate g;
    EXPECT_EQ(g.decide(320, 240, t0), verdict::reopen);
    g.close();
    EXPECT_EQ(g.decide(640, 480, t0 + 10ms), verdict::reopen);
    EXPECT_EQ(g.decide(640, 480, t0 + 20ms), verdict::encode);
}

}  // namespace
}  // namespace wscam
