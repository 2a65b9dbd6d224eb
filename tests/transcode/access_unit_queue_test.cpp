#include "transcode/access_unit_queue.hpp"
#include "transcode/keyframe_requests.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

using namespace std::chrono_literals;

frame_ptr unit(std::uint64_t sequence, bool keyframe = false) {
    auto storage = frame::make_storage(4);
    frame_info info{16, 16, 1, frame::header_type_h264, keyframe};
    return std::make_shared<const frame>(std::move(storage), 4, info, sequence, 2);
}

// Writes everything waiting; returns the sequence numbers written.
std::vector<std::uint64_t> drain(access_unit_queue& q) {
    std::vector<std::uint64_t> out;
    while (auto f = q.start_write()) {
        out.push_back(f->sequence());
        q.write_done();
    }
    return out;
}

TEST(access_unit_queue, a_new_viewer_gets_nothing_before_a_keyframe_and_asks_for_one) {
    access_unit_queue q;
    EXPECT_TRUE(q.waiting_for_keyframe());
    EXPECT_TRUE(q.offer(unit(1))) << "a delta unit: ask for a keyframe";
    EXPECT_TRUE(q.offer(unit(2)));
    EXPECT_EQ(q.start_write(), nullptr);
    EXPECT_FALSE(q.offer(unit(3, true)));
    EXPECT_FALSE(q.offer(unit(4)));
    EXPECT_EQ(drain(q), (std::vector<std::uint64_t>{3, 4}));
    EXPECT_EQ(q.skipped(), 2u);
    EXPECT_EQ(q.sent(), 2u);
}

TEST(access_unit_queue, units_are_written_in_order_none_replaced) {
    access_unit_queue q(8);
    q.offer(unit(1, true));
    auto first = q.start_write();
    ASSERT_TRUE(first);
    for (std::uint64_t s = 2; s <= 6; ++s) EXPECT_FALSE(q.offer(unit(s)));
    EXPECT_EQ(q.start_write(), nullptr) << "one write at a time";
    q.write_done();
    EXPECT_EQ(drain(q), (std::vector<std::uint64_t>{2, 3, 4, 5, 6}));
    EXPECT_EQ(q.skipped(), 0u);
}

TEST(access_unit_queue, falling_behind_drops_what_waits_and_waits_for_a_keyframe) {
    access_unit_queue q(3);
    q.offer(unit(1, true));
    ASSERT_TRUE(q.start_write());  // a slow write: 1 stays in flight
    EXPECT_FALSE(q.offer(unit(2)));
    EXPECT_FALSE(q.offer(unit(3)));
    EXPECT_FALSE(q.offer(unit(4)));
    EXPECT_TRUE(q.offer(unit(5))) << "a fourth would wait: the viewer fell behind";
    EXPECT_EQ(q.fell_behind(), 1u);
    EXPECT_TRUE(q.waiting_for_keyframe());
    EXPECT_EQ(q.pending(), 0u);
    EXPECT_TRUE(q.offer(unit(6)));
    q.write_done();  // unit 1 still arrives whole
    EXPECT_EQ(q.start_write(), nullptr) << "no delta unit after the gap";
    EXPECT_FALSE(q.offer(unit(7, true)));
    EXPECT_EQ(drain(q), (std::vector<std::uint64_t>{7}));
    EXPECT_EQ(q.skipped(), 5u) << "2, 3, 4, 5 and 6";
}

TEST(access_unit_queue, a_keyframe_makes_the_units_waiting_before_it_unnecessary) {
    access_unit_queue q;
    q.offer(unit(1, true));
    ASSERT_TRUE(q.start_write());
    q.offer(unit(2));
    q.offer(unit(3));
    q.offer(unit(4, true));
    q.write_done();
    EXPECT_EQ(drain(q), (std::vector<std::uint64_t>{4}));
    EXPECT_EQ(q.skipped(), 2u);
    EXPECT_EQ(q.fell_behind(), 0u);
}

TEST(access_unit_queue, old_or_repeated_units_are_ignored) {
    access_unit_queue q;
    q.offer(unit(5, true));
    q.offer(unit(5, true));
    q.offer(unit(4));
    q.offer(nullptr);
    EXPECT_EQ(drain(q), (std::vector<std::uint64_t>{5}));
}

TEST(access_unit_queue, restart_waits_for_the_next_keyframe) {
    access_unit_queue q;
    q.offer(unit(1, true));
    q.offer(unit(2));
    q.restart();
    EXPECT_TRUE(q.waiting_for_keyframe());
    EXPECT_TRUE(q.offer(unit(3)));
    EXPECT_EQ(drain(q), std::vector<std::uint64_t>{});
    q.offer(unit(4, true));
    EXPECT_EQ(drain(q), (std::vector<std::uint64_t>{4}));
}

const auto t0 = keyframe_requests::clock::time_point() + 1h;

// After a keyframe at t0: viewers ask (as `k`) before every one of `pictures` pictures at 30 fps;
// returns how many of them the encoder was told to force.
int forced_while_asking(keyframe_requests& r, int pictures, keyframe_requests::kind k) {
    int forced = 0;
    for (int i = 1; i <= pictures; ++i) {
        const auto now = t0 + i * 33ms;
        r.request(k);
        const bool f = r.decide(now);
        forced += f;
        r.encoded(f, now);
    }
    return forced;
}

TEST(keyframe_requests, nothing_is_forced_unasked) {
    keyframe_requests r;
    EXPECT_FALSE(r.decide(t0));
    r.encoded(false, t0);
    EXPECT_FALSE(r.pending());
}

TEST(keyframe_requests, a_request_forces_the_next_picture_and_a_keyframe_serves_it) {
    keyframe_requests r;
    r.request();
    EXPECT_TRUE(r.pending());
    EXPECT_TRUE(r.decide(t0));
    r.encoded(true, t0);
    EXPECT_FALSE(r.pending());
    EXPECT_FALSE(r.decide(t0 + 33ms));
    EXPECT_EQ(r.forced(), 1u);
}

TEST(keyframe_requests, at_most_one_forced_keyframe_per_half_second) {
    keyframe_requests r;
    r.request();
    ASSERT_TRUE(r.decide(t0));
    r.encoded(true, t0);
    // A crowd asking every picture for two seconds.
    EXPECT_EQ(forced_while_asking(r, 60, keyframe_requests::kind::join), 3) << "at 0.53, 1.06 and 1.58 s: the first picture at least 0.5 s after the last keyframe";
    EXPECT_EQ(r.forced(), 4u);
}

TEST(keyframe_requests, a_periodic_keyframe_serves_requests_made_before_the_picture_was_chosen) {
    keyframe_requests r;
    r.request();
    r.encoded(true, t0 - 1s);  // an old periodic keyframe: nothing was decided for it
    EXPECT_TRUE(r.pending()) << "a keyframe encoded before the request cannot serve it";
    r.request();
    EXPECT_FALSE(r.decide(t0 - 900ms)) << "too soon after that keyframe";
    r.encoded(true, t0 - 900ms);  // x264's own keyframe comes: it serves both
    EXPECT_FALSE(r.pending());
}

TEST(keyframe_requests, a_request_made_while_a_keyframe_is_encoded_stays_pending) {
    keyframe_requests r;
    r.request();
    ASSERT_TRUE(r.decide(t0));
    r.request();  // a viewer that joins while the keyframe is being encoded may miss it
    r.encoded(true, t0);
    EXPECT_TRUE(r.pending());
    EXPECT_FALSE(r.decide(t0 + 100ms));
    EXPECT_TRUE(r.decide(t0 + 500ms));
}

TEST(keyframe_requests, a_viewer_that_fell_behind_waits_two_seconds_after_the_last_keyframe) {
    keyframe_requests r;
    r.request();
    ASSERT_TRUE(r.decide(t0));
    r.encoded(true, t0);
    // Slow viewers falling behind every picture for four seconds.
    EXPECT_EQ(forced_while_asking(r, 120, keyframe_requests::kind::resync), 1) << "at 2.01 s (the next would be at 4.02 s), not every half second";
    EXPECT_EQ(r.forced(), 2u);
}

TEST(keyframe_requests, a_join_is_served_at_half_a_second_even_with_resyncs_waiting) {
    keyframe_requests r;
    r.encoded(true, t0);
    r.request(keyframe_requests::kind::resync);
    EXPECT_FALSE(r.decide(t0 + 600ms)) << "a resync alone waits 2 s";
    r.encoded(false, t0 + 600ms);
    r.request(keyframe_requests::kind::join);
    EXPECT_TRUE(r.decide(t0 + 633ms));
    r.encoded(true, t0 + 633ms);
    EXPECT_FALSE(r.pending()) << "that keyframe serves the resync too";
}

TEST(keyframe_requests, the_first_resync_of_a_new_encoder_is_served_at_once) {
    keyframe_requests r;
    r.request(keyframe_requests::kind::resync);
    EXPECT_TRUE(r.decide(t0));
}

}  // namespace
}  // namespace wscam
