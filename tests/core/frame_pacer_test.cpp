#include "core/frame_pacer.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

using namespace std::chrono;
using clock_type = frame_pacer::clock;

TEST(frame_pacer, deadlines_follow_the_rate_without_drift) {
    const auto start = clock_type::time_point{};
    frame_pacer pacer(30, start);
    // Produce each frame exactly on time for ten minutes' worth of frames.
    for (int i = 0; i < 30 * 600; ++i) pacer.advance(pacer.next_deadline());
    // Frame 18000 at 30 fps is due at exactly 600 s: no accumulated rounding.
    EXPECT_EQ(pacer.next_deadline() - start, seconds(600));
    EXPECT_EQ(pacer.skipped(), 0u);
}

TEST(frame_pacer, non_integer_periods_stay_exact) {
    const auto start = clock_type::time_point{};
    frame_pacer pacer(29.97, start);
    for (int i = 0; i < 2997; ++i) pacer.advance(pacer.next_deadline());
    EXPECT_LT(abs(pacer.next_deadline() - start - seconds(100)), microseconds(1));
}

TEST(frame_pacer, a_late_producer_skips_missed_deadlines_instead_of_bursting) {
    const auto start = clock_type::time_point{};
    frame_pacer pacer(10, start);  // 100 ms period
    pacer.advance(start);          // frame 0 produced on time; next due at 100 ms
    // Frame 1 (due at 100 ms) took until 350 ms: the 200 ms slot is skipped, the 300 ms
    // slot is served at once, and the schedule goes on from there (400 ms, 500 ms, ...).
    const auto skipped = pacer.advance(start + milliseconds(350));
    EXPECT_EQ(skipped, 1u);
    EXPECT_EQ(pacer.next_deadline() - start, milliseconds(300));
    pacer.advance(start + milliseconds(360));
    EXPECT_EQ(pacer.next_deadline() - start, milliseconds(400));
    EXPECT_EQ(pacer.skipped(), 1u);
}

TEST(frame_pacer, restart_begins_a_new_schedule) {
    const auto start = clock_type::time_point{};
    frame_pacer pacer(20, start);
    pacer.advance(start + milliseconds(10));
    const auto later = start + seconds(5);
    pacer.restart(later);
    EXPECT_EQ(pacer.next_deadline(), later);
}

TEST(frame_pacer, rejects_impossible_rates) {
    EXPECT_THROW(frame_pacer(0, clock_type::now()), std::invalid_argument);
    EXPECT_THROW(frame_pacer(-5, clock_type::now()), std::invalid_argument);
    EXPECT_THROW(frame_pacer(5000, clock_type::now()), std::invalid_argument);
}

}  // namespace
}  // namespace wscam
