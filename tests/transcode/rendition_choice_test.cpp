#include "transcode/rendition_choice.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

using namespace std::chrono_literals;
const auto t0 = rendition_choice::clock::time_point() + 1h;

TEST(rendition_choice, everyone_starts_on_the_full_rendition_and_a_fast_viewer_stays) {
    rendition_choice c(true);
    EXPECT_EQ(c.current(), rendition::full);
    for (int i = 0; i < 3000; ++i) EXPECT_EQ(c.on_unit(t0 + i * 33ms), rendition::full);
}

TEST(rendition_choice, falling_behind_on_the_full_one_moves_down_and_a_probe_comes_after_the_wait) {
    rendition_choice c(true);
    EXPECT_EQ(c.fell_behind(t0), rendition::reduced);
    EXPECT_EQ(c.on_unit(t0 + 9s), rendition::reduced);
    EXPECT_EQ(c.on_unit(t0 + 10s), rendition::full) << "10 s without falling behind: try the full one";
    EXPECT_TRUE(c.probing());
}

TEST(rendition_choice, a_failed_probe_doubles_the_wait_up_to_the_limit) {
    rendition_choice c(true);
    auto now = t0;
    c.fell_behind(now);
    std::vector<long> waits;
    for (int probe = 0; probe < 7; ++probe) {
        const auto before = now;
        while (c.on_unit(now) == rendition::reduced) now += 1s;
        waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(now - before).count());
        now += 2s;  // the link still cannot carry it
        EXPECT_EQ(c.fell_behind(now), rendition::reduced);
    }
    EXPECT_EQ(waits, (std::vector<long>{10, 20, 40, 80, 160, 160, 160}));
}

TEST(rendition_choice, a_probe_that_lasts_resets_the_wait) {
    rendition_choice c(true);
    auto now = t0;
    c.fell_behind(now);
    now += 10s;
    ASSERT_EQ(c.on_unit(now), rendition::full);
    now += 1s;
    c.fell_behind(now);  // failed: next wait 20 s
    EXPECT_EQ(c.wait(), 20s);
    now += 20s;
    ASSERT_EQ(c.on_unit(now), rendition::full);
    now += 11s;
    EXPECT_EQ(c.on_unit(now), rendition::full);
    EXPECT_FALSE(c.probing()) << "it held the full rendition past the probe window";
    now += 60s;
    EXPECT_EQ(c.fell_behind(now), rendition::reduced) << "the link got worse later";
    EXPECT_EQ(c.wait(), 10s) << "a new episode, not a failed probe";
}

TEST(rendition_choice, falling_behind_on_the_reduced_one_restarts_the_calm_period) {
    rendition_choice c(true);
    c.fell_behind(t0);
    EXPECT_EQ(c.fell_behind(t0 + 8s), rendition::reduced);
    EXPECT_EQ(c.on_unit(t0 + 12s), rendition::reduced) << "only 4 s calm";
    EXPECT_EQ(c.on_unit(t0 + 18s), rendition::full);
}

TEST(rendition_choice, without_a_reduced_rendition_it_never_moves) {
    rendition_choice c(false);
    EXPECT_EQ(c.fell_behind(t0), rendition::full);
    EXPECT_EQ(c.on_unit(t0 + 1h), rendition::full);
}

TEST(rendition_choice, a_move_that_failed_keeps_it_where_it_is) {
    rendition_choice c(true);
    ASSERT_EQ(c.fell_behind(t0), rendition::reduced);
    c.stay(rendition::full, t0);  // the reduced encoder could not start
    EXPECT_EQ(c.current(), rendition::full);
    EXPECT_EQ(c.on_unit(t0 + 1s), rendition::full);
    EXPECT_EQ(c.fell_behind(t0 + 2s), rendition::reduced) << "the next fall tries again";
}

}  // namespace
}  // namespace wscam
