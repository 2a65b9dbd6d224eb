#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "events/mqtt/mqtt_messages.hpp"
#include "events/mqtt/mqtt_url.hpp"
#include "events/webhook_output.hpp"
#include "protocol/viewer_outbox.hpp"

namespace wscam::events {
namespace {

TEST(mqtt_url, reads_hosts_ports_credentials_and_tls_and_says_why_not) {
    EXPECT_EQ(parse_mqtt_url("mqtt://broker"), (mqtt_url{false, "broker", 1883, "", ""}));
    EXPECT_EQ(parse_mqtt_url("mqtts://broker.home.arpa/"), (mqtt_url{true, "broker.home.arpa", 8883, "", ""}));
    EXPECT_EQ(parse_mqtt_url("mqtt://ha:p%40ss%3Aw@192.168.1.5:1884"), (mqtt_url{false, "192.168.1.5", 1884, "ha", "p@ss:w"}));
    EXPECT_EQ(parse_mqtt_url("mqtt://u@[::1]:1"), (mqtt_url{false, "::1", 1, "u", ""}));
    EXPECT_EQ(parse_mqtt_url("mqtt://u:secret@h")->shown(), "mqtt://u:***@h:1883");
    EXPECT_EQ(parse_mqtt_url("mqtts://[::1]")->shown(), "mqtts://[::1]:8883");
    std::string why;
    for (const auto* bad : {"http://h", "mqtt://", "mqtt://h:0", "mqtt://h:65536", "mqtt://h:x", "mqtt://h:", "mqtt://h/topic",
                            "mqtt://h?x=1", "mqtt://:p@h", "mqtt://u:%zz@h", "mqtt://[::1", "mqtt://[::1]x", "mqtt://a b"}) {
        why.clear();
        EXPECT_FALSE(parse_mqtt_url(bad, &why)) << bad;
        EXPECT_FALSE(why.empty()) << bad;
        EXPECT_EQ(why.find("secret"), std::string::npos);
    }
    EXPECT_EQ(topic_level("front door/+#"), "front_door___");
    EXPECT_EQ(topic_level(""), "_");
}

TEST(mqtt_messages, state_event_snapshot_and_home_assistant_discovery) {
    mqtt_naming n{"home/cams", "homeassistant", "hall.1", "1.2.3"};
    EXPECT_EQ(availability_topic(n), "home/cams/availability");
    EXPECT_EQ(state_message(n, "door", true), (mqtt_message{"home/cams/door/motion", "ON", true}));
    EXPECT_EQ(state_message(n, "door", false).payload, "OFF");
    EXPECT_EQ(snapshot_topic(n, "door"), "home/cams/door/snapshot");
    notice e;
    e.event.stream = "door";
    e.event.id = e.event.start_us = 1'765'089'000'000'000;
    e.change = change::started;
    const auto m = event_message(n, e);
    EXPECT_EQ(m.topic, "home/cams/door/event");
    EXPECT_FALSE(m.retain);
    EXPECT_EQ(nlohmann::json::parse(m.payload)["state"], "start");
    const auto d = discovery_messages(n, "door");
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].topic, "homeassistant/binary_sensor/hall_1/door_motion/config");
    EXPECT_TRUE(d[0].retain);
    const auto sensor = nlohmann::json::parse(d[0].payload);
    EXPECT_EQ(sensor["device_class"], "motion");
    EXPECT_EQ(sensor["state_topic"], "home/cams/door/motion");
    EXPECT_EQ(sensor["unique_id"], "wscam_hall_1_door_motion");
    EXPECT_EQ(sensor["device"]["identifiers"][0], "wscam_hall_1");
    EXPECT_EQ(sensor["device"]["sw_version"], "1.2.3");
    EXPECT_EQ(d[1].topic, "homeassistant/camera/hall_1/door_snapshot/config");
    EXPECT_EQ(nlohmann::json::parse(d[1].payload)["topic"], "home/cams/door/snapshot");
    for (const auto& r : discovery_removal(n, "door")) EXPECT_TRUE(r.payload.empty() && r.retain);
    n.discovery.clear();
    EXPECT_TRUE(discovery_messages(n, "door").empty()) << "discovery off";
}

TEST(webhook, the_signature_is_hmac_sha256_of_the_body) {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    EXPECT_EQ(webhook_signature("Jefe", "what do ya want for nothing?"),
              "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(viewer_outbox, a_newer_event_message_replaces_the_queued_one_and_events_go_before_hellos_when_full) {
    viewer_outbox box(3);
    box.push(viewer_outbox::kind::hello, std::string("hello"));
    box.push(viewer_outbox::kind::event, std::string("start 1"));
    box.push(viewer_outbox::kind::event, std::string("end 1"));
    EXPECT_EQ(box.size(), 2u) << "the end replaced the start still queued";
    box.push(viewer_outbox::kind::status, std::string("offline"), "offline");
    box.push(viewer_outbox::kind::status, std::string("online"), "online");  // full: the event goes
    EXPECT_EQ(box.dropped(), 1u);
    EXPECT_EQ(*box.pop(), "hello");
    EXPECT_EQ(*box.pop(), "offline");
    EXPECT_EQ(*box.pop(), "online");
    EXPECT_TRUE(box.empty());
}

}  // namespace
}  // namespace wscam::events
