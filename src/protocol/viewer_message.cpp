#include "protocol/viewer_message.hpp"

#include "core/json_text.hpp"
#include "protocol/publisher_message.hpp"
#include "core/text.hpp"

namespace wscam {

using json = nlohmann::json;

client_message parse_client_message(std::string_view text) {
    if (text.size() > max_client_message_bytes) return invalid_message{"message too large"};
    json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return invalid_message{"not valid JSON"};
    if (!j.is_object()) return invalid_message{"not a JSON object"};
    auto type_it = j.find("type");
    if (type_it == j.end() || !type_it->is_string()) return invalid_message{"missing \"type\" string"};
    const auto& type = type_it->get_ref<const std::string&>();

    if (type == "ping") {
        ping_message p;
        if (auto id = j.find("id"); id != j.end()) {
            if (!id->is_number_integer()) return invalid_message{"ping \"id\" must be an integer"};
            p.id = id->get<std::int64_t>();
        }
        if (auto t = j.find("t"); t != j.end()) {
            if (!t->is_number()) return invalid_message{"ping \"t\" must be a number"};
            p.client_time = t->get<double>();
        }
        return p;
    }
    if (type == "pause") return pause_message{true};
    if (type == "resume") return pause_message{false};
    if (type == "keyframe") return keyframe_message{};
    if (type == "control") {
        auto id = j.find("id");
        auto value = j.find("value");
        if (id == j.end() || !id->is_string() || id->get_ref<const std::string&>().empty())
            return invalid_message{"control needs an \"id\" string"};
        if (value == j.end() || !(value->is_number() || value->is_boolean()))
            return invalid_message{"control needs a numeric \"value\""};
        return control_message{sanitize_text(id->get_ref<const std::string&>(), max_control_id_bytes),
                               value->is_boolean() ? (value->get<bool>() ? 1.0 : 0.0) : value->get<double>()};
    }
    // The type is the peer's text: cut at a character boundary, never inside one.
    return invalid_message{"unknown message type \"" + sanitize_text(type, 32) + "\""};
}

namespace {

json controls_json(const std::vector<control_info>& list) {
    json controls = json::array();
    for (const auto& c : list) {
        json item = {{"id", c.id}, {"name", c.name}, {"type", c.type}, {"value", c.value}};
        if (c.type == "int") {
            item["min"] = c.min;
            item["max"] = c.max;
            item["step"] = c.step;
        }
        if (c.type == "menu") {
            item["options"] = json::array();
            for (const auto& o : c.options) item["options"].push_back({{"value", o.value}, {"label", o.label}});
        }
        controls.push_back(std::move(item));
    }
    return controls;
}

}  // namespace

// Declared in publisher_message.hpp; here because controls_json is the one encoder of a control list.
std::string make_publisher_hello_message(const std::vector<control_info>& controls) {
    return to_json_text({{"type", "hello"}, {"controls", controls_json(controls)}});
}

std::string make_controls_message(const std::string& stream, const std::vector<control_info>& controls) {
    return to_json_text({{"type", "controls"}, {"stream", stream}, {"controls", controls_json(controls)}});
}

std::string make_hello_message(const hello_fields& h) {
    json controls = controls_json(h.controls);
    json j = {{"type", "hello"},     {"stream", h.stream},     {"width", h.width},
              {"height", h.height},  {"fps", h.fps},           {"online", h.online},
              {"protocol", h.protocol}, {"server_time_us", h.server_time_us},
              {"controls", std::move(controls)}, {"can_control", h.can_control}};
    if (!h.online) j["reason"] = h.reason;
    // Only wscam.v1 clients get a hello: each is told its codec (JPEG unless it asked for H.264).
    j["codec"] = h.codec;
    if (!h.codec_string.empty()) j["codec_string"] = h.codec_string;
    if (!h.codec_note.empty()) j["codec_note"] = h.codec_note;
    return to_json_text(j);
}

std::string make_control_changed_message(const std::string& stream, const std::string& id, double value) {
    return to_json_text({{"type", "control_changed"}, {"stream", stream}, {"id", id}, {"value", value}});
}

std::string make_status_message(const std::string& stream, bool online, const std::string& reason,
                                const std::string& message) {
    json j = {{"type", "status"}, {"stream", stream}, {"state", online ? "online" : "offline"}};
    if (!online) j["reason"] = reason;
    if (!message.empty()) j["message"] = message;
    return to_json_text(j);
}

std::string make_pong_message(const ping_message& ping, std::int64_t server_time_us) {
    return to_json_text({{"type", "pong"}, {"id", ping.id}, {"t", ping.client_time}, {"server_time_us", server_time_us}});
}

std::string make_error_message(const std::string& reason) {
    return to_json_text({{"type", "error"}, {"reason", reason}});
}

}  // namespace wscam
