#include "protocol/viewer_protocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocol/viewer_outbox.hpp"

namespace wscam {
namespace {

using clock = std::chrono::steady_clock;

nlohmann::json reply_of(const viewer_action& a) { return nlohmann::json::parse(a.reply); }

TEST(viewer_protocol, an_unknown_type_cut_inside_a_utf8_character_gets_a_clean_error_reply) {
    // The 34-byte message that used to abort the server (issue 14, item 1).
    viewer_protocol p(true);
    const auto a = p.on_text(R"({"type":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa€"})", 0, clock::now());
    ASSERT_FALSE(a.reply.empty());
    const auto j = reply_of(a);
    EXPECT_EQ(j["type"], "error");
    EXPECT_EQ(j["reason"], "unknown message type \"" + std::string(29, 'a') + "…\"");
}

TEST(viewer_protocol, a_ping_gets_a_pong_with_the_server_clock) {
    viewer_protocol p(false);
    const auto j = reply_of(p.on_text(R"({"type":"ping","id":7,"t":12.5})", 99, clock::now()));
    EXPECT_EQ(j["type"], "pong");
    EXPECT_EQ(j["id"], 7);
    EXPECT_EQ(j["t"], 12.5);
    EXPECT_EQ(j["server_time_us"], 99);
}

TEST(viewer_protocol, pause_and_resume_are_actions_without_a_reply) {
    viewer_protocol p(false);
    auto a = p.on_text(R"({"type":"pause"})", 0, clock::now());
    EXPECT_EQ(a.pause, true);
    EXPECT_TRUE(a.reply.empty());
    EXPECT_EQ(p.on_text(R"({"type":"resume"})", 0, clock::now()).pause, false);
}

TEST(viewer_protocol, controls_need_the_control_role) {
    viewer_protocol p(false);
    const auto a = p.on_text(R"({"type":"control","id":"brightness","value":3})", 0, clock::now());
    EXPECT_FALSE(a.control);
    EXPECT_EQ(reply_of(a)["reason"], "changing controls needs the control token");
}

TEST(viewer_protocol, controls_are_limited_per_viewer_to_a_burst_then_a_steady_rate) {
    viewer_protocol p(true);
    const auto t0 = clock::now();
    int passed = 0;
    for (int i = 0; i < 1000; ++i)
        if (p.on_text(R"({"type":"control","id":"brightness","value":1})", 0, t0).control) ++passed;
    EXPECT_EQ(passed, static_cast<int>(viewer_protocol::control_burst));
    // One second later, about one second's worth more.
    passed = 0;
    for (int i = 0; i < 1000; ++i)
        if (p.on_text(R"({"type":"control","id":"brightness","value":1})", 0, t0 + std::chrono::seconds(1)).control)
            ++passed;
    EXPECT_EQ(passed, static_cast<int>(viewer_protocol::max_controls_per_second));
    const auto refused = p.on_text(R"({"type":"control","id":"brightness","value":1})", 0, t0 + std::chrono::seconds(1));
    EXPECT_NE(reply_of(refused)["reason"].get<std::string>().find("too many control changes"), std::string::npos);
}

TEST(viewer_protocol, binary_messages_are_refused_with_a_reason) {
    viewer_protocol p(true);
    EXPECT_EQ(reply_of(p.on_binary())["type"], "error");
}

TEST(viewer_outbox, a_newer_status_of_the_same_state_replaces_the_queued_one) {
    viewer_outbox box(4);
    box.push(viewer_outbox::kind::status, "offline: restarting", "offline");
    box.push(viewer_outbox::kind::reply, "pong");
    box.push(viewer_outbox::kind::status, "offline: no signal", "offline");
    ASSERT_EQ(box.size(), 2u);
    EXPECT_EQ(*box.pop(), "offline: no signal");
    EXPECT_EQ(*box.pop(), "pong");
}

TEST(viewer_outbox, a_source_back_before_the_viewer_reads_is_still_seen_going_offline) {
    viewer_outbox box(4);
    box.push(viewer_outbox::kind::status, "offline: restarting", "offline");
    box.push(viewer_outbox::kind::status, "online", "online");
    ASSERT_EQ(box.size(), 2u);
    EXPECT_EQ(*box.pop(), "offline: restarting");
    EXPECT_EQ(*box.pop(), "online");
}

TEST(viewer_outbox, a_flapping_source_queues_at_most_its_last_change_of_state) {
    viewer_outbox box(32);
    for (int i = 0; i < 1000; ++i) {
        box.push(viewer_outbox::kind::status, "offline " + std::to_string(i), "offline");
        box.push(viewer_outbox::kind::status, "online " + std::to_string(i), "online");
    }
    box.push(viewer_outbox::kind::status, "offline: gone", "offline");
    ASSERT_EQ(box.size(), 2u);
    EXPECT_EQ(*box.pop(), "online 999");
    EXPECT_EQ(*box.pop(), "offline: gone");
}

TEST(viewer_outbox, a_status_in_a_full_outbox_takes_the_place_of_the_oldest_reply) {
    viewer_outbox box(2);
    box.push(viewer_outbox::kind::reply, "pong 1");
    box.push(viewer_outbox::kind::reply, "pong 2");
    box.push(viewer_outbox::kind::status, "offline", "offline");
    ASSERT_EQ(box.size(), 2u);
    EXPECT_EQ(*box.pop(), "pong 2");
    EXPECT_EQ(*box.pop(), "offline");
}

TEST(viewer_outbox, the_hello_is_never_replaced_by_a_status) {
    viewer_outbox box(4);
    box.push(viewer_outbox::kind::hello, "hello");
    box.push(viewer_outbox::kind::status, "online", "online");
    box.push(viewer_outbox::kind::status, "online again", "online");
    ASSERT_EQ(box.size(), 2u);
    EXPECT_EQ(*box.pop(), "hello");
    EXPECT_EQ(*box.pop(), "online again");
}

TEST(viewer_outbox, a_flood_of_control_changes_and_pongs_never_evicts_a_status) {
    viewer_outbox box(32);
    box.push(viewer_outbox::kind::status, "offline: camera unplugged", "offline");
    for (int i = 0; i < 100000; ++i) {
        box.push(viewer_outbox::kind::control, "brightness=" + std::to_string(i), "brightness");
        box.push(viewer_outbox::kind::control, "contrast=" + std::to_string(i), "contrast");
        box.push(viewer_outbox::kind::reply, "pong " + std::to_string(i));
    }
    ASSERT_EQ(box.size(), 32u);
    EXPECT_EQ(*box.pop(), "offline: camera unplugged");
    EXPECT_EQ(*box.pop(), "brightness=99999") << "the newest value, in the place of the first";
    EXPECT_EQ(*box.pop(), "contrast=99999");
    EXPECT_EQ(*box.pop(), "pong 99971") << "the oldest replies went";
}

TEST(viewer_outbox, a_shared_text_is_queued_and_sent_by_every_viewer_without_a_copy) {
    viewer_outbox a(4), b(4);
    const auto controls = std::make_shared<const std::string>(std::string(60 * 1024, 'c'));
    a.push(viewer_outbox::kind::controls, controls);
    b.push(viewer_outbox::kind::controls, controls);
    EXPECT_EQ(a.pop().get(), controls.get());
    EXPECT_EQ(b.pop().get(), controls.get());
}

}  // namespace
}  // namespace wscam
