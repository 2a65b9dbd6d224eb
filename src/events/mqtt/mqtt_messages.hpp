#pragma once

#include <string>
#include <vector>

#include "events/motion_event.hpp"

namespace wscam::events {

/** How wscam names itself on the broker. */
struct mqtt_naming {
    std::string base = "wscam";                // --mqtt-topic: every topic of ours starts here
    std::string discovery = "homeassistant";   // --mqtt-discovery-prefix; empty: no discovery
    std::string node;                          // this wscam's name (--node, else the host): the device
    std::string version;                       // wscam's, shown as the device's software
};

struct mqtt_message {
    std::string topic;
    std::string payload;
    bool retain = false;
    bool operator==(const mqtt_message&) const = default;
};

/**
 * What wscam says on MQTT, pure (docs/PROTOCOL.md, "MQTT"):
 *  - BASE/availability: "online" while connected, "offline" (the last will, and on a clean stop); retained
 *  - BASE/STREAM/motion: "ON" while an event goes on, else "OFF"; retained
 *  - BASE/STREAM/event: the event as JSON with "state": "start" or "end" (as the viewers' message)
 *  - BASE/STREAM/snapshot: the peak's JPEG, raw bytes; retained
 *  - DISCOVERY/binary_sensor/NODE/STREAM_motion/config and DISCOVERY/camera/NODE/STREAM_snapshot/config:
 *    Home Assistant's MQTT discovery (retained), both under one device per wscam (its node name), so
 *    each stream appears as a motion sensor and a camera with no YAML.
 * Stream and node names become topic levels through topic_level().
 */
std::string availability_topic(const mqtt_naming& n);
std::string snapshot_topic(const mqtt_naming& n, const std::string& stream);
mqtt_message state_message(const mqtt_naming& n, const std::string& stream, bool on);
mqtt_message event_message(const mqtt_naming& n, const notice& e);
/** The discovery configs of a stream (none when discovery is off). */
std::vector<mqtt_message> discovery_messages(const mqtt_naming& n, const std::string& stream);
/** The same topics, empty and retained: Home Assistant removes the entities (a stream no longer detecting). */
std::vector<mqtt_message> discovery_removal(const mqtt_naming& n, const std::string& stream);

}  // namespace wscam::events
