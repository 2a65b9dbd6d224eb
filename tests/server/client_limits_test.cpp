#include "server/client_limits.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace wscam {
namespace {

using namespace std::chrono_literals;
using clock_t_ = client_limits::clock;

TEST(client_limits, an_address_gets_its_share_and_others_are_unaffected) {
    client_limits limits({.max_connections = 100, .max_per_address = 3});
    std::vector<client_limits::ticket> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(limits.admit("10.0.0.1"));
        ASSERT_TRUE(held.back());
    }
    auto fourth = limits.admit("10.0.0.1");
    EXPECT_FALSE(fourth);
    EXPECT_EQ(fourth.why(), client_limits::refusal::address_full);
    EXPECT_TRUE(limits.admit("10.0.0.2")) << "another address has its own share";
    EXPECT_EQ(limits.connections_from("10.0.0.1"), 3u);
    held.pop_back();
    EXPECT_TRUE(limits.admit("10.0.0.1")) << "a closed connection gives its place back";
}

TEST(client_limits, the_server_cap_holds_across_addresses_and_a_moved_ticket_counts_once) {
    client_limits limits({.max_connections = 2, .max_per_address = 0});
    auto a = limits.admit("a");
    auto b = limits.admit("b");
    auto c = limits.admit("c");
    EXPECT_TRUE(a && b);
    EXPECT_FALSE(c);
    EXPECT_EQ(c.why(), client_limits::refusal::server_full);
    client_limits::ticket moved = std::move(a);  // HTTP connection -> WebSocket session
    EXPECT_FALSE(a);
    EXPECT_EQ(limits.connections(), 2u);
    moved = client_limits::ticket();
    EXPECT_EQ(limits.connections(), 1u);
    EXPECT_EQ(limits.connections_from("a"), 0u);
}

TEST(client_limits, ten_wrong_tokens_in_a_minute_block_the_address_for_a_while) {
    client_limits limits({.max_wrong_tokens = 10, .wrong_token_window = 60s, .block = 60s});
    const auto t0 = clock_t_::time_point{} + 1000s;
    for (int i = 0; i < 9; ++i) EXPECT_FALSE(limits.wrong_token("1.2.3.4", t0 + i * 1s));
    EXPECT_EQ(limits.blocked_for("1.2.3.4", t0 + 9s), 0s);
    EXPECT_TRUE(limits.wrong_token("1.2.3.4", t0 + 9s)) << "the tenth starts the block (logged once)";
    EXPECT_FALSE(limits.wrong_token("1.2.3.4", t0 + 10s)) << "not a second start while blocked";
    EXPECT_EQ(limits.blocked_for("1.2.3.4", t0 + 10s), 59s);
    EXPECT_EQ(limits.blocked_for("5.6.7.8", t0 + 10s), 0s) << "other addresses are not blocked";
    EXPECT_EQ(limits.blocked_for("1.2.3.4", t0 + 69s), 0s) << "the block ends";
}

TEST(client_limits, wrong_tokens_spread_over_more_than_the_window_do_not_block) {
    client_limits limits({.max_wrong_tokens = 10, .wrong_token_window = 60s, .block = 60s});
    const auto t0 = clock_t_::time_point{} + 1000s;
    for (int i = 0; i < 30; ++i) EXPECT_FALSE(limits.wrong_token("1.2.3.4", t0 + i * 7s)) << i;
}

TEST(client_limits, tracked_addresses_are_bounded) {
    client_limits limits({.max_wrong_tokens = 2, .wrong_token_window = 60s, .block = 60s, .max_tracked = 4});
    const auto t0 = clock_t_::time_point{} + 1000s;
    for (int i = 0; i < 4; ++i) limits.wrong_token("a" + std::to_string(i), t0);
    EXPECT_FALSE(limits.wrong_token("new", t0));
    EXPECT_FALSE(limits.wrong_token("new", t0)) << "not tracked while the table is full of fresh entries";
    EXPECT_FALSE(limits.wrong_token("later", t0 + 61s)) << "stale entries make room";
    EXPECT_TRUE(limits.wrong_token("later", t0 + 62s));
}

TEST(client_limits, keys_are_ipv4_addresses_or_ipv6_64_prefixes) {
    const std::array<unsigned char, 4> v4{127, 0, 0, 2};
    EXPECT_EQ(client_key(v4), "127.0.0.2");
    const std::array<unsigned char, 16> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 9};
    EXPECT_EQ(client_key(mapped), "192.168.1.9");
    const std::array<unsigned char, 16> a{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0xde, 0xad, 0, 0, 0, 0, 0, 1};
    const std::array<unsigned char, 16> b{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0xbe, 0xef, 0, 0, 0, 0, 0, 7};
    EXPECT_EQ(client_key(a), "2001:db8:1:2::/64");
    EXPECT_EQ(client_key(a), client_key(b)) << "one host picks any address in its /64";
    const std::array<unsigned char, 16> loopback{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(client_key(loopback), "0:0:0:0::/64");
}

}  // namespace
}  // namespace wscam
