#include "record/clip_gate.hpp"

#include <gtest/gtest.h>

namespace wscam::record {
namespace {

constexpr std::int64_t s = 1'000'000;

frame_ptr picture(std::int64_t at, bool keyframe = true, std::size_t size = 100) {
    return std::make_shared<const frame>(frame::make_storage(size), size, frame_info{16, 16, at, 1, keyframe}, 1, at);
}

std::vector<std::int64_t> times(const std::vector<frame_ptr>& v) {
    std::vector<std::int64_t> out;
    for (const auto& f : v) out.push_back(f->capture_us());
    return out;
}

TEST(clip_gate, keeps_nothing_without_a_clip_then_the_preroll_and_the_clip) {
    clip_gate gate(2 * s, 1 * s, 60 * s, false, 1 << 20);
    for (std::int64_t t = 0; t <= 10; ++t) EXPECT_TRUE(gate.offer(picture(t * s)).write.empty()) << t;
    gate.start(10 * s + s / 2);
    // The pictures of the 2 s before the newest come first, then the one that came.
    EXPECT_EQ(times(gate.offer(picture(11 * s)).write), (std::vector<std::int64_t>{8 * s, 9 * s, 10 * s, 11 * s}));
    EXPECT_EQ(times(gate.offer(picture(12 * s)).write), (std::vector<std::int64_t>{12 * s}));
    gate.stop(12 * s + s / 2);  // post-roll: 1 s, to 13.5 s
    EXPECT_EQ(times(gate.offer(picture(13 * s)).write), (std::vector<std::int64_t>{13 * s}));
    const auto after = gate.offer(picture(14 * s));
    EXPECT_TRUE(after.ended) << "the clip ended before this picture";
    EXPECT_TRUE(after.write.empty());
    EXPECT_FALSE(gate.offer(picture(15 * s)).ended) << "said once";
}

TEST(clip_gate, a_clip_never_stopped_ends_by_itself_and_a_new_start_extends_it) {
    clip_gate gate(0, 0, 5 * s, false, 1 << 20);
    gate.start(0);
    EXPECT_EQ(gate.ends_at(), 5 * s);
    gate.start(3 * s);
    EXPECT_EQ(gate.ends_at(), 8 * s) << "extended";
    gate.stop(4 * s);
    EXPECT_EQ(gate.ends_at(), 4 * s) << "no post-roll";
    gate.start(4 * s);
    EXPECT_EQ(gate.ends_at(), 9 * s) << "started again before it ended";
    EXPECT_EQ(gate.offer(picture(9 * s)).write.size(), 1u);
    EXPECT_TRUE(gate.offer(picture(9 * s + 1)).ended);
}

TEST(clip_gate, an_h264_preroll_starts_at_a_keyframe_even_if_it_reaches_further_back) {
    clip_gate gate(2 * s, 0, 60 * s, true, 1 << 20);
    EXPECT_TRUE(gate.offer(picture(0, false)).write.empty()) << "before any keyframe: nothing a decoder can use";
    for (std::int64_t t = 1; t <= 11; ++t) gate.offer(picture(t * s, t % 4 == 1));  // keyframes at 1, 5, 9 s
    gate.start(11 * s);
    // 2 s before the newest held (11 s) is 9 s: the keyframe at 9 s starts the pre-roll.
    EXPECT_EQ(times(gate.offer(picture(12 * s, false)).write), (std::vector<std::int64_t>{9 * s, 10 * s, 11 * s, 12 * s}));

    clip_gate late(2 * s, 0, 60 * s, true, 1 << 20);
    for (std::int64_t t = 1; t <= 8; ++t) late.offer(picture(t * s, t % 4 == 1));  // keyframes at 1, 5 s
    late.start(8 * s);
    // 2 s before 8 s is 6 s: no keyframe then; the one at 5 s is the nearest a decoder can start at.
    EXPECT_EQ(times(late.offer(picture(8 * s + 1, false)).write).front(), 5 * s);
}

TEST(clip_gate, the_preroll_is_bounded_in_bytes) {
    clip_gate gate(3600 * s, 0, 60 * s, false, 1000);
    for (std::int64_t t = 0; t < 100; ++t) gate.offer(picture(t * s, true, 100));
    EXPECT_LE(gate.held_bytes(), 1000u + 200u);  // the capacity of each picture's buffer, header included
    gate.start(100 * s);
    const auto w = gate.offer(picture(100 * s)).write;
    EXPECT_LT(w.size(), 10u) << "an hour of pre-roll asked, the bytes decide";
    EXPECT_EQ(w.back()->capture_us(), 100 * s);
}

}  // namespace
}  // namespace wscam::record
