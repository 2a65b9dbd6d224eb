#include "cluster/owner_sequence.hpp"

#include <gtest/gtest.h>

#include <limits>

using wscam::cluster::owner_sequence;
using verdict = owner_sequence::verdict;

namespace {

/** Offers `from`..`to` in order; true when every one was accepted. */
bool run(owner_sequence& s, std::uint64_t from, std::uint64_t to) {
    bool all = true;
    for (auto n = from; n <= to; ++n) all = s.offer(n) == verdict::accept && all;
    return all;
}

}  // namespace

TEST(owner_sequence, the_first_frame_sets_the_baseline_and_frames_in_order_pass) {
    owner_sequence s;
    EXPECT_EQ(s.offer(812), verdict::accept);
    EXPECT_TRUE(run(s, 813, 900));
    EXPECT_EQ(s.offer(905), verdict::accept) << "a few frames the owner skipped (latest wins) are a gap, not a fault";
}

TEST(owner_sequence, an_old_frame_is_refused_and_the_last_one_again_is_a_quiet_repeat) {
    owner_sequence s;
    ASSERT_TRUE(run(s, 1, 10));
    EXPECT_EQ(s.offer(10), verdict::repeat);
    EXPECT_EQ(s.offer(7), verdict::refuse);
    EXPECT_EQ(s.offer(11), verdict::accept);
}

// Issue 21, item 4: one frame numbered 2^64-1 with headers copied from the owner's announce made
// every later frame "old" on the relay, forever.
TEST(owner_sequence, one_forged_frame_far_ahead_does_not_hold_the_stream) {
    owner_sequence s;
    ASSERT_TRUE(run(s, 1, 50));
    EXPECT_EQ(s.offer(std::numeric_limits<std::uint64_t>::max()), verdict::refuse);
    EXPECT_TRUE(run(s, 51, 100)) << "the owner's next frames pass";
    // Forged frames interleaved with the owner's, each far ahead of the last: none confirms.
    for (std::uint64_t n = 101; n < 200; ++n) {
        EXPECT_EQ(s.offer(n * 1'000'000), verdict::refuse);
        EXPECT_EQ(s.offer(n), verdict::accept);
    }
}

TEST(owner_sequence, a_forged_first_frame_costs_the_owner_only_the_confirming_frames) {
    owner_sequence s;
    EXPECT_EQ(s.offer(std::numeric_limits<std::uint64_t>::max() - 1), verdict::accept);  // nothing to judge it by
    EXPECT_EQ(s.offer(1), verdict::refuse);
    EXPECT_EQ(s.offer(2), verdict::refuse);
    EXPECT_EQ(s.offer(3), verdict::resync);
    EXPECT_TRUE(run(s, 4, 40));
    EXPECT_EQ(s.last(), 40u);
}

TEST(owner_sequence, a_real_jump_moves_the_baseline_after_three_frames_that_follow_each_other) {
    owner_sequence s;
    ASSERT_TRUE(run(s, 1, 10));
    EXPECT_EQ(s.offer(100'000), verdict::refuse);
    EXPECT_EQ(s.offer(100'001), verdict::refuse);
    EXPECT_EQ(s.offer(100'003), verdict::resync);
    EXPECT_EQ(s.offer(100'004), verdict::accept);
    EXPECT_EQ(s.offer(11), verdict::refuse) << "the old numbers are behind now";
}

TEST(owner_sequence, a_run_broken_by_an_unrelated_number_starts_over) {
    owner_sequence s;
    ASSERT_TRUE(run(s, 1, 10));
    EXPECT_EQ(s.offer(5'000), verdict::refuse);
    EXPECT_EQ(s.offer(5'001), verdict::refuse);
    EXPECT_EQ(s.offer(9'000'000), verdict::refuse);  // not within the window of 5'001
    EXPECT_EQ(s.offer(5'002), verdict::refuse) << "the run of 5'000 was broken";
    EXPECT_EQ(s.offer(11), verdict::accept);
}

TEST(owner_sequence, a_run_interleaved_with_the_owners_frames_never_confirms) {
    // A forger who cannot outpace the owner sends its run one frame at a time between the
    // owner's: each frame the owner gets through in order ends the run, so it never confirms.
    owner_sequence s;
    ASSERT_TRUE(run(s, 1, 10));
    for (std::uint64_t n = 0; n < 50; ++n) {
        EXPECT_EQ(s.offer(7'000'000 + n), verdict::refuse);
        EXPECT_EQ(s.offer(11 + n), verdict::accept);
    }
    EXPECT_EQ(s.last(), 60u);
}

// Issue 21 review: with a cluster secret, a peer replayed the owner's signed frames of 30 s
// before (three in a row, then one per owner frame) and the relay followed the replay back.
TEST(owner_sequence, without_going_back_a_replayed_run_is_refused_and_the_owner_keeps_the_stream) {
    owner_sequence s(/*backward=*/false);
    ASSERT_TRUE(run(s, 1000, 1500));
    for (std::uint64_t n = 0; n < 100; ++n) {
        EXPECT_EQ(s.offer(500 + n), verdict::replay);
        EXPECT_EQ(s.offer(1501 + n), verdict::accept);
    }
    EXPECT_EQ(s.offer(100'000), verdict::refuse);
    EXPECT_EQ(s.offer(100'001), verdict::refuse);
    EXPECT_EQ(s.offer(100'002), verdict::resync) << "a jump ahead still moves the baseline";
    EXPECT_EQ(s.offer(1602), verdict::replay);
    s.reset();
    EXPECT_EQ(s.offer(3), verdict::accept) << "a new run starts anywhere";
}

TEST(owner_sequence, reset_takes_the_next_frame_as_the_baseline) {
    owner_sequence s;
    ASSERT_TRUE(run(s, 1, 1000));
    s.reset();  // the owner restarted: its numbers start over
    EXPECT_EQ(s.offer(1), verdict::accept);
    EXPECT_TRUE(run(s, 2, 30));
}
