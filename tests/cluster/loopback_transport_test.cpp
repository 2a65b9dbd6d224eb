#include "cluster/loopback_transport.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace wscam::cluster;

TEST(subject_matches, follows_nats_wildcards) {
    EXPECT_TRUE(subject_matches("wscam.frame.cam", "wscam.frame.cam"));
    EXPECT_FALSE(subject_matches("wscam.frame.cam", "wscam.frame.cam2"));
    EXPECT_FALSE(subject_matches("wscam.frame.cam", "wscam.frame"));
    EXPECT_TRUE(subject_matches("wscam.control.*", "wscam.control.cam"));
    EXPECT_FALSE(subject_matches("wscam.control.*", "wscam.control.cam.x")) << "* is one token";
    EXPECT_FALSE(subject_matches("wscam.control.*", "wscam.control")) << "* is one token, not none";
    EXPECT_TRUE(subject_matches("_INBOX.a.control.>", "_INBOX.a.control.cam"));
    EXPECT_TRUE(subject_matches("_INBOX.a.control.>", "_INBOX.a.control.cam.x"));
    EXPECT_FALSE(subject_matches("_INBOX.a.control.>", "_INBOX.a.control")) << "> is one token or more";
    EXPECT_FALSE(subject_matches("wscam.*.cam", "wscam..cam")) << "no empty tokens";
}

TEST(loopback_transport, delivers_to_matching_subscriptions_and_keeps_what_was_published) {
    loopback_transport t;
    std::vector<std::string> got;
    auto sub = t.subscribe("wscam.control.*", [&](const incoming& in) {
        got.push_back(std::string(in.subject) + "|" + std::string(in.node) + "|" + std::string(in.epoch) + "|" +
                      std::string(in.reply) + "|" + std::string(reinterpret_cast<const char*>(in.data.data()), in.data.size()));
    });
    EXPECT_EQ(t.deliver({"wscam.control.cam", "_INBOX.x", "A", "1", {'h', 'i'}}), 1u);
    EXPECT_EQ(t.deliver({"wscam.controls.cam", "", "", "", {}}), 0u);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], "wscam.control.cam|A|1|_INBOX.x|hi");
    sub.reset();
    EXPECT_EQ(t.deliver({"wscam.control.cam", "", "", "", {}}), 0u) << "unsubscribed";

    const std::vector<std::uint8_t> bytes{1, 2, 3};
    EXPECT_EQ(t.publish("wscam.frame.cam", bytes, "B", "7"), transport::sent::ok);
    EXPECT_EQ(t.publish("wscam.announce", bytes), transport::sent::ok);
    const auto sent = t.take_published();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].subject, "wscam.frame.cam");
    EXPECT_EQ(sent[0].node, "B");
    EXPECT_EQ(sent[0].epoch, "7");
    EXPECT_EQ(sent[0].data, bytes);
    EXPECT_EQ(sent[1].node, "");
    EXPECT_TRUE(t.published().empty());
}
