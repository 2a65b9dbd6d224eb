#include "record/segment_policy.hpp"

#include <gtest/gtest.h>

namespace wscam::record {
namespace {

using action = segment_policy::action;
constexpr std::int64_t s = 1'000'000;

/** Pictures once a second from `from` to `to` (exclusive), each expected to be written. */
void steady(segment_policy& p, std::int64_t from, std::int64_t to, bool keyframes = false) {
    for (auto t = from; t < to; t += s) ASSERT_EQ(p.next(t, keyframes, 640, 480), action::write) << t / s << " s";
}

TEST(segment_policy, a_jpeg_recording_opens_at_once_and_cuts_at_the_first_picture_past_its_length) {
    segment_policy p(60 * s, 5 * s, false);
    EXPECT_EQ(p.next(0, false, 640, 480), action::open) << "any JPEG can start a segment";
    steady(p, s, 60 * s);
    EXPECT_EQ(p.next(60 * s, false, 640, 480), action::cut);
    EXPECT_EQ(p.next(61 * s, false, 640, 480), action::write) << "the new segment counts from its own start";
    EXPECT_FALSE(p.wants_keyframe());
}

TEST(segment_policy, an_h264_recording_starts_at_a_keyframe_and_cuts_at_the_first_one_past_its_length) {
    segment_policy p(60 * s, 5 * s, true);
    EXPECT_TRUE(p.wants_keyframe());
    EXPECT_EQ(p.next(0, false, 640, 480), action::skip) << "a decoder cannot start here";
    EXPECT_EQ(p.next(s, true, 640, 480), action::open);
    EXPECT_FALSE(p.wants_keyframe());
    steady(p, 2 * s, 61 * s);
    EXPECT_FALSE(p.wants_keyframe());
    EXPECT_EQ(p.next(61 * s, false, 640, 480), action::write) << "due, but no keyframe yet";
    EXPECT_TRUE(p.wants_keyframe()) << "so one is asked for";
    EXPECT_EQ(p.next(62 * s, true, 640, 480), action::cut);
    EXPECT_FALSE(p.wants_keyframe());
}

TEST(segment_policy, a_pause_longer_than_the_gap_or_a_new_size_ends_the_segment) {
    segment_policy jpeg(60 * s, 5 * s, false);
    jpeg.next(0, false, 640, 480);
    EXPECT_EQ(jpeg.next(5 * s, false, 640, 480), action::write) << "exactly the gap is no gap";
    EXPECT_EQ(jpeg.next(10 * s + 1, false, 640, 480), action::cut) << "the camera was lost in between";
    EXPECT_EQ(jpeg.next(11 * s, false, 320, 240), action::cut) << "another size, another segment";

    segment_policy h264(60 * s, 5 * s, true);
    h264.next(0, true, 640, 480);
    EXPECT_EQ(h264.next(20 * s, false, 640, 480), action::close) << "no keyframe to start from: end, then wait";
    EXPECT_FALSE(h264.is_open());
    EXPECT_EQ(h264.next(21 * s, false, 640, 480), action::skip);
    EXPECT_EQ(h264.next(22 * s, true, 640, 480), action::open);
    EXPECT_EQ(h264.next(23 * s, true, 320, 240), action::cut) << "a new size comes with a keyframe";
}

TEST(segment_policy, a_camera_that_goes_offline_ends_the_segment_and_a_failure_drops_it) {
    segment_policy p(60 * s, 5 * s, true);
    EXPECT_FALSE(p.gap()) << "nothing open";
    p.next(0, true, 640, 480);
    EXPECT_TRUE(p.gap());
    EXPECT_EQ(p.next(s, false, 640, 480), action::skip);
    EXPECT_EQ(p.next(2 * s, true, 640, 480), action::open);
    p.lost();
    EXPECT_FALSE(p.is_open());
    EXPECT_EQ(p.next(3 * s, true, 640, 480), action::open);
}

}  // namespace
}  // namespace wscam::record
