#include "events/mqtt/mqtt_messages.hpp"

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"
#include "events/mqtt/mqtt_url.hpp"

namespace wscam::events {
namespace {

std::string stream_topic(const mqtt_naming& n, const std::string& stream, const char* leaf) {
    return n.base + "/" + topic_level(stream) + "/" + leaf;
}

std::string config_topic(const mqtt_naming& n, const char* component, const std::string& stream, const char* what) {
    return n.discovery + "/" + component + "/" + topic_level(n.node) + "/" + topic_level(stream) + "_" + what + "/config";
}

nlohmann::json device(const mqtt_naming& n) {
    return {{"identifiers", nlohmann::json::array({"wscam_" + topic_level(n.node)})},
            {"name", "wscam " + n.node},
            {"manufacturer", "wscam"},
            {"model", "wscam camera server"},
            {"sw_version", n.version}};
}

}  // namespace

std::string availability_topic(const mqtt_naming& n) { return n.base + "/availability"; }

std::string snapshot_topic(const mqtt_naming& n, const std::string& stream) { return stream_topic(n, stream, "snapshot"); }

mqtt_message state_message(const mqtt_naming& n, const std::string& stream, bool on) {
    return {stream_topic(n, stream, "motion"), on ? "ON" : "OFF", true};
}

mqtt_message event_message(const mqtt_naming& n, const notice& e) {
    auto j = to_json(e.event);
    j["state"] = e.change == change::started ? "start" : "end";
    return {stream_topic(n, e.event.stream, "event"), to_json_text(j), false};
}

std::vector<mqtt_message> discovery_messages(const mqtt_naming& n, const std::string& stream) {
    if (n.discovery.empty()) return {};
    const auto id = "wscam_" + topic_level(n.node) + "_" + topic_level(stream);
    const nlohmann::json motion{{"name", stream + " motion"},
                                {"unique_id", id + "_motion"},
                                {"device_class", "motion"},
                                {"state_topic", stream_topic(n, stream, "motion")},
                                {"payload_on", "ON"},
                                {"payload_off", "OFF"},
                                {"json_attributes_topic", stream_topic(n, stream, "event")},
                                {"availability_topic", availability_topic(n)},
                                {"payload_available", "online"},
                                {"payload_not_available", "offline"},
                                {"device", device(n)}};
    const nlohmann::json camera{{"name", stream + " snapshot"},
                                {"unique_id", id + "_snapshot"},
                                {"topic", snapshot_topic(n, stream)},
                                {"availability_topic", availability_topic(n)},
                                {"payload_available", "online"},
                                {"payload_not_available", "offline"},
                                {"device", device(n)}};
    return {{config_topic(n, "binary_sensor", stream, "motion"), to_json_text(motion), true},
            {config_topic(n, "camera", stream, "snapshot"), to_json_text(camera), true}};
}

std::vector<mqtt_message> discovery_removal(const mqtt_naming& n, const std::string& stream) {
    auto list = discovery_messages(n, stream);
    for (auto& m : list) m.payload.clear();
    return list;
}

}  // namespace wscam::events
