#include "core/publish_gate.hpp"

#include <gtest/gtest.h>

#include "core/backoff.hpp"
#include "core/rate_limit.hpp"

namespace wscam {
namespace {

struct fake_publisher : publisher {
    std::string kicked;
    void kick(const std::string& reason) override { kicked = reason; }
};

TEST(publish_gate, checks_the_token_exactly) {
    publish_gate gate("s3cret", false);
    EXPECT_TRUE(gate.requires_token());
    EXPECT_TRUE(gate.token_ok("s3cret"));
    EXPECT_FALSE(gate.token_ok("s3cre"));
    EXPECT_FALSE(gate.token_ok("s3cret!"));
    EXPECT_FALSE(gate.token_ok(""));
    publish_gate open("", false);
    EXPECT_TRUE(open.token_ok("anything"));
}

TEST(publish_gate, a_second_publisher_is_refused_while_the_first_is_there) {
    publish_gate gate("", false);
    auto first = std::make_shared<fake_publisher>();
    auto second = std::make_shared<fake_publisher>();
    EXPECT_EQ(gate.claim(first), "");
    EXPECT_EQ(gate.claim(second), "stream already has a publisher");
    EXPECT_TRUE(first->kicked.empty());
    EXPECT_TRUE(gate.release(first.get()));
    EXPECT_EQ(gate.claim(second), "") << "free again once the first left";
}

TEST(publish_gate, with_takeover_the_newcomer_replaces_the_first) {
    publish_gate gate("", true);
    auto first = std::make_shared<fake_publisher>();
    auto second = std::make_shared<fake_publisher>();
    gate.claim(first);
    EXPECT_EQ(gate.claim(second), "");
    EXPECT_EQ(first->kicked, "replaced by a new publisher");
    EXPECT_FALSE(gate.release(first.get())) << "the first no longer owns the stream";
    EXPECT_TRUE(gate.has_publisher());
}

TEST(publish_gate, closing_tells_the_publisher_why_and_refuses_everyone_after) {
    publish_gate gate("", true);
    auto first = std::make_shared<fake_publisher>();
    gate.claim(first);
    gate.close("stream stopped");
    EXPECT_EQ(first->kicked, "stream stopped");
    EXPECT_FALSE(gate.has_publisher());
    EXPECT_FALSE(gate.release(first.get())) << "the gate let go of it already";
    auto late = std::make_shared<fake_publisher>();
    EXPECT_EQ(gate.claim(late), "stream stopped") << "not even takeover gets in";
    EXPECT_TRUE(late->kicked.empty());
}

TEST(backoff, doubles_up_to_the_cap_with_bounded_jitter_and_resets) {
    backoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(1000), 0.3, 42);
    const int expected_base[] = {100, 200, 400, 800, 1000, 1000};
    for (int base : expected_base) {
        const auto d = b.next().count();
        EXPECT_GE(d, base * 0.7 - 1);
        EXPECT_LE(d, base * 1.3 + 1);
    }
    b.reset();
    EXPECT_LE(b.next().count(), 131);
}

TEST(backoff, jitter_spreads_retries) {
    backoff a(std::chrono::milliseconds(1000), std::chrono::milliseconds(1000), 0.3, 1);
    backoff b(std::chrono::milliseconds(1000), std::chrono::milliseconds(1000), 0.3, 2);
    EXPECT_NE(a.next(), b.next());
}

TEST(rate_limit, lets_one_event_through_per_interval_and_counts_the_rest) {
    using namespace std::chrono;
    rate_limit limit(seconds(5));
    const auto t0 = rate_limit::clock::time_point{} + hours(1);
    std::uint64_t suppressed = 99;
    EXPECT_TRUE(limit.allow(t0, suppressed));
    EXPECT_EQ(suppressed, 0u);
    EXPECT_FALSE(limit.allow(t0 + seconds(1), suppressed));
    EXPECT_FALSE(limit.allow(t0 + seconds(4), suppressed));
    EXPECT_TRUE(limit.allow(t0 + seconds(6), suppressed));
    EXPECT_EQ(suppressed, 2u);
}

}  // namespace
}  // namespace wscam
