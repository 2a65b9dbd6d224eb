#include "motion/event_tracker.hpp"

#include <gtest/gtest.h>

#include "motion/motion_settings.hpp"

namespace wscam::motion {
namespace {

constexpr std::int64_t ms = 1000;

sample moving(double score = 0.02) { return sample{true, score, box{0.1, 0.2, 0.3, 0.4}, false, false}; }
sample still() { return sample{}; }

TEST(event_tracker, two_pictures_in_a_row_start_an_event_at_the_first_and_the_cooldown_ends_it_at_the_last_motion) {
    event_tracker t(std::chrono::milliseconds(1500));
    EXPECT_FALSE(t.picture(moving(0.03), 1000 * ms).started) << "one picture may be a glitch";
    const auto v = t.picture(moving(0.02), 1100 * ms);
    EXPECT_TRUE(v.started);
    EXPECT_EQ(v.new_peak, verdict::peak::previous) << "the first picture scored higher";
    EXPECT_EQ(t.event().start_us, 1000 * ms);
    EXPECT_EQ(t.event().peak_us, 1000 * ms);
    EXPECT_EQ(t.picture(moving(0.05), 1200 * ms).new_peak, verdict::peak::current);
    EXPECT_EQ(t.event().peak_score, 0.05);
    EXPECT_EQ(t.event().peak_box, (box{0.1, 0.2, 0.3, 0.4}));
    EXPECT_FALSE(t.picture(still(), 2600 * ms).ended) << "1.4 s without motion: still within the cooldown";
    EXPECT_TRUE(t.picture(moving(), 2650 * ms).new_peak == verdict::peak::none) << "motion again: the same event";
    EXPECT_FALSE(t.quiet(4100 * ms).ended);
    const auto end = t.picture(still(), 4150 * ms);
    EXPECT_TRUE(end.ended);
    EXPECT_FALSE(t.active());
    EXPECT_EQ(t.event().last_motion_us, 2650 * ms) << "it ends at its last motion";
    EXPECT_EQ(t.event().start_us, 1000 * ms);
}

TEST(event_tracker, pictures_far_apart_or_a_still_between_them_are_not_in_a_row) {
    event_tracker t(std::chrono::milliseconds(1000));
    t.picture(moving(), 0);
    EXPECT_FALSE(t.picture(moving(), 1500 * ms).started) << "more than 1 s apart";
    t.picture(still(), 1600 * ms);
    EXPECT_FALSE(t.picture(moving(), 1700 * ms).started) << "a still picture between";
    EXPECT_TRUE(t.picture(moving(), 1800 * ms).started);
    EXPECT_FALSE(t.picture(moving(), 1800 * ms).started) << "already going on";
}

TEST(event_tracker, quiet_ends_an_event_when_no_picture_comes_and_offline_ends_it_at_once) {
    event_tracker t(std::chrono::milliseconds(2000));
    t.picture(moving(), 0);
    t.picture(moving(), 100 * ms);
    EXPECT_FALSE(t.quiet(2000 * ms).ended);
    EXPECT_TRUE(t.quiet(2100 * ms).ended);
    EXPECT_FALSE(t.quiet(9000 * ms).ended) << "said once";
    t.picture(moving(), 10000 * ms);
    EXPECT_TRUE(t.picture(moving(), 10100 * ms).started);
    EXPECT_TRUE(t.offline().ended);
    EXPECT_FALSE(t.offline().ended);
    t.picture(moving(), 10200 * ms);
    EXPECT_FALSE(t.offline().ended) << "a candidate is no event";
    EXPECT_FALSE(t.picture(moving(), 10300 * ms).started) << "and is forgotten offline";
}

TEST(motion_settings, ranges_cooldowns_and_masks) {
    EXPECT_FALSE(check(settings{}));
    settings s;
    s.threshold = 0;
    EXPECT_TRUE(check(s));
    s = {};
    s.min_area = 0;
    EXPECT_TRUE(check(s));
    s = {};
    s.mask.assign(17, polygon{{0, 0}, {1, 0}, {1, 1}});
    EXPECT_TRUE(check(s));
    EXPECT_EQ(parse_cooldown("5s"), std::chrono::milliseconds(5000));
    EXPECT_EQ(parse_cooldown("2.5"), std::chrono::milliseconds(2500));
    EXPECT_EQ(parse_cooldown("2m"), std::chrono::milliseconds(120000));
    EXPECT_EQ(parse_cooldown("0.4s"), std::nullopt);
    EXPECT_EQ(parse_cooldown("61m"), std::nullopt);
    EXPECT_EQ(parse_cooldown("nan"), std::nullopt);
    EXPECT_EQ(parse_cooldown("s"), std::nullopt);
    EXPECT_EQ(parse_cooldown("1e400"), std::nullopt);
    // A triangle over the top-left half of a 4x4 grid: the pixel centres below its diagonal.
    const auto g = mask_grid({{{0, 0}, {1, 0}, {0, 1}}}, 4, 4);
    EXPECT_EQ(g, (std::vector<std::uint8_t>{1, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(mask_grid({}, 2, 2), (std::vector<std::uint8_t>{0, 0, 0, 0}));
}

}  // namespace
}  // namespace wscam::motion
