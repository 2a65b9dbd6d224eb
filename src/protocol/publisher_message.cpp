#include "protocol/publisher_message.hpp"

#include <cmath>
#include <set>

#include "protocol/viewer_message.hpp"
#include "core/json_text.hpp"
#include "core/text.hpp"

namespace wscam {
namespace {

using json = nlohmann::json;

bool valid_id(const std::string& id) {
    if (id.empty() || id.size() > max_control_id_bytes) return false;
    for (const char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '.'))
            return false;
    return true;
}

bool finite_number(const json& j, const char* key, double& out, bool required) {
    const auto it = j.find(key);
    if (it == j.end()) return !required;
    if (it->is_boolean()) {
        out = it->get<bool>() ? 1 : 0;
        return true;
    }
    if (!it->is_number()) return false;
    out = it->get<double>();
    return std::isfinite(out);
}

// One entry of a control list, in the shape of hello.controls; empty `error` when it is fine.
control_info read_control(const json& j, std::string& error) {
    control_info c;
    if (!j.is_object()) {
        error = "a control must be an object";
        return c;
    }
    const auto id = j.find("id");
    if (id == j.end() || !id->is_string() || !valid_id(id->get_ref<const std::string&>())) {
        error = "a control needs an \"id\" of 1-64 letters, digits, '_', '-' or '.'";
        return c;
    }
    c.id = id->get<std::string>();
    const auto name = j.find("name");
    c.name = sanitize_text(name != j.end() && name->is_string() ? name->get_ref<const std::string&>() : c.id, 64);
    const auto type = j.find("type");
    c.type = type != j.end() && type->is_string() ? type->get<std::string>() : "";
    if (c.type != "int" && c.type != "bool" && c.type != "menu") {
        error = c.id + ": \"type\" must be int, bool or menu";
        return c;
    }
    if (!finite_number(j, "value", c.value, true)) {
        error = c.id + ": needs a finite numeric \"value\"";
        return c;
    }
    if (c.type == "bool") {
        c.max = 1;
        c.value = c.value != 0 ? 1 : 0;
    } else if (c.type == "int") {
        if (!finite_number(j, "min", c.min, true) || !finite_number(j, "max", c.max, true) ||
            !finite_number(j, "step", c.step, false) || c.min > c.max || c.step <= 0) {
            error = c.id + ": an int control needs finite \"min\" <= \"max\" and a positive \"step\"";
            return c;
        }
    } else {
        const auto options = j.find("options");
        if (options == j.end() || !options->is_array() || options->empty() || options->size() > max_menu_options) {
            error = c.id + ": a menu needs 1-256 \"options\"";
            return c;
        }
        for (const auto& o : *options) {
            control_info::menu_item item{};
            if (!o.is_object() || !finite_number(o, "value", item.value, true)) {
                error = c.id + ": every option needs a finite \"value\"";
                return c;
            }
            const auto label = o.find("label");
            item.label = label != o.end() && label->is_string() ? sanitize_text(label->get_ref<const std::string&>(), 64)
                                                                : control_value_text(item.value);
            c.options.push_back(std::move(item));
        }
    }
    return c;
}

}  // namespace

publisher_message parse_publisher_text(std::string_view text) {
    // Not JSON, or JSON without one of our types: the camera's own words (as before the
    // control channel existed), shown to viewers as the status message.
    const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    const auto type = j.is_object() ? j.find("type") : j.end();
    const std::string kind = j.is_object() && type != j.end() && type->is_string() ? type->get<std::string>() : "";
    if (kind == "hello") {
        const auto too_large = [](const char* what, std::size_t bytes) {
            return publisher_invalid{"hello: " + std::string(what) + std::to_string(bytes) +
                                     " bytes; a list of controls may take at most " +
                                     std::to_string(max_publisher_controls_bytes)};
        };
        if (text.size() > max_publisher_controls_bytes) return too_large("", text.size());
        const auto list = j.find("controls");
        publisher_hello hello;
        if (list == j.end()) return hello;
        if (!list->is_array() || list->size() > max_publisher_controls)
            return publisher_invalid{"hello: \"controls\" must be an array of at most 64 controls"};
        std::set<std::string> seen;
        for (const auto& item : *list) {
            std::string error;
            auto c = read_control(item, error);
            if (!error.empty()) return publisher_invalid{"hello: " + sanitize_text(error, 160)};
            if (!seen.insert(c.id).second) return publisher_invalid{"hello: control '" + c.id + "' appears twice"};
            hello.controls.push_back(std::move(c));
        }
        // Labels made from numbers and values written in full can make the list longer than the hello.
        if (const auto bytes = make_publisher_hello_message(hello.controls).size(); bytes > max_publisher_controls_bytes)
            return too_large("its list written out takes ", bytes);
        return hello;
    }
    if (kind == "control_changed" || kind == "error") {
        const auto id = j.find("id");
        if (id == j.end() || !id->is_string() || !valid_id(id->get_ref<const std::string&>()))
            return publisher_invalid{kind + ": needs the control's \"id\""};
        if (kind == "error") {
            const auto reason = j.find("reason");
            return publisher_error{id->get<std::string>(),
                                   reason != j.end() && reason->is_string()
                                       ? sanitize_text(reason->get_ref<const std::string&>(), 256)
                                       : "the camera refused it"};
        }
        double value = 0;
        if (!finite_number(j, "value", value, true)) return publisher_invalid{"control_changed: needs a finite \"value\""};
        return publisher_control_changed{id->get<std::string>(), value};
    }
    return publisher_status_text{std::string(text)};
}

std::string make_publisher_control_message(const std::string& id, double value) {
    // Whole values as integers ("value":1, not 1.0): what a camera's small parser expects.
    const bool whole = std::nearbyint(value) == value && std::abs(value) < 1e15;
    nlohmann::json v = whole ? nlohmann::json(static_cast<std::int64_t>(value)) : nlohmann::json(value);
    return to_json_text({{"type", "control"}, {"id", id}, {"value", v}});
}

std::string make_publisher_error_message(const std::string& id, const std::string& reason) {
    return to_json_text({{"type", "error"}, {"id", id}, {"reason", reason}});
}

}  // namespace wscam
