#include "cluster/mailbox.hpp"

#include <gtest/gtest.h>

#include <thread>

using wscam::cluster::mailbox;
using namespace std::chrono_literals;

namespace {
auto soon() { return mailbox::clock::now() + 50ms; }
}  // namespace

TEST(mailbox, a_pass_takes_everything_posted_before_it_in_order) {
    mailbox box;
    int ran = 0;
    ASSERT_TRUE(box.post([&] { ran = ran * 10 + 1; }));
    ASSERT_TRUE(box.post([&] { ran = ran * 10 + 2; }));
    box.link_changed(true);
    box.link_changed(false);
    wscam::cluster::announce a;
    a.node = "A";
    ASSERT_TRUE(box.deliver(a));
    box.wake(true);
    auto got = box.wait(soon());
    ASSERT_TRUE(got);
    for (auto& job : got->jobs) job();
    EXPECT_EQ(ran, 12);
    EXPECT_EQ(got->link_events, (std::vector<bool>{true, false}));
    ASSERT_EQ(got->announces.size(), 1u);
    EXPECT_TRUE(got->announce_asked);
    auto next = box.wait(soon());  // nothing new: times out with an empty batch
    ASSERT_TRUE(next);
    EXPECT_TRUE(next->jobs.empty() && next->announces.empty() && !next->announce_asked);
}

TEST(mailbox, jobs_are_bounded_by_bytes_and_count_until_a_pass_takes_them) {
    mailbox box;
    EXPECT_TRUE(box.post([] {}, mailbox::max_queued_bytes - 10));
    EXPECT_FALSE(box.post([] {}, 11)) << "over the byte bound";
    EXPECT_TRUE(box.post([] {}, 10));
    ASSERT_TRUE(box.wait(soon()));
    EXPECT_TRUE(box.post([] {}, mailbox::max_queued_bytes)) << "a pass frees what it took";
    ASSERT_TRUE(box.wait(soon()));
    for (std::size_t i = 0; i < mailbox::max_queued; ++i) ASSERT_TRUE(box.post([] {}));
    EXPECT_FALSE(box.post([] {})) << "over the count bound";
}

TEST(mailbox, outgoing_messages_are_bounded_by_bytes_and_count) {
    mailbox box;
    EXPECT_TRUE(box.send({"s", std::string(mailbox::max_queued_bytes, 'x')}));
    EXPECT_FALSE(box.send({"s", "y"}));
    EXPECT_EQ(box.take_outgoing().size(), 1u);
    for (std::size_t i = 0; i < mailbox::max_queued; ++i) ASSERT_TRUE(box.send({"s", "y"}));
    EXPECT_FALSE(box.send({"s", "y"}));
}

TEST(mailbox, announces_beyond_the_bound_are_dropped) {
    mailbox box;
    for (std::size_t i = 0; i < mailbox::max_queued_announces; ++i) ASSERT_TRUE(box.deliver({}));
    EXPECT_FALSE(box.deliver({}));
}

TEST(mailbox, stop_wakes_a_waiting_pass_and_refuses_what_comes_after) {
    mailbox box;
    std::thread waiter([&] { EXPECT_FALSE(box.wait(mailbox::clock::now() + 10s)); });
    std::this_thread::sleep_for(20ms);
    const auto start = mailbox::clock::now();
    box.stop();
    waiter.join();
    EXPECT_LT(mailbox::clock::now() - start, 5s);
    EXPECT_TRUE(box.stopping());
    EXPECT_FALSE(box.post([] {}));
    EXPECT_FALSE(box.send({"s", "t"}));
}
