#include "cluster/messages.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "codec/jpeg_codec.hpp"
#include "core/frame.hpp"
#include "core/stream.hpp"
#include "core/json_text.hpp"
#include "core/text.hpp"
#include "core/token_check.hpp"

namespace wscam::cluster {
namespace {

using json = nlohmann::json;

// Each reader leaves `out` alone and returns why when the field is there but wrong (or missing
// and required); an empty string means fine.
std::string read_unsigned(const json& j, const char* key, std::uint64_t max, bool required, std::uint64_t& out) {
    const auto it = j.find(key);
    if (it == j.end()) return required ? std::string("missing \"") + key + "\"" : "";
    // Parsed non-negative integers are number_unsigned; negative, fractional and huge ones are not.
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > max)
        return std::string("\"") + key + "\" must be an integer 0.." + std::to_string(max);
    out = it->get<std::uint64_t>();
    return {};
}

std::string read_bool(const json& j, const char* key, bool required, bool& out) {
    const auto it = j.find(key);
    if (it == j.end()) return required ? std::string("missing \"") + key + "\"" : "";
    if (!it->is_boolean()) return std::string("\"") + key + "\" must be true or false";
    out = it->get<bool>();
    return {};
}

std::string read_text(const json& j, const char* key, std::string& out) {
    const auto it = j.find(key);
    if (it == j.end()) return {};
    if (!it->is_string()) return std::string("\"") + key + "\" must be a string";
    out = sanitize_text(it->get_ref<const std::string&>());
    return {};
}

std::string read_verifier(const json& j, const char* key, std::string& out) {
    const auto it = j.find(key);
    if (it == j.end()) return {};
    if (!it->is_string() || !token_check::verifier(it->get_ref<const std::string&>()))
        return std::string("\"") + key + "\" must be a token verifier (pbkdf2-sha256$10000$salt$hash)";
    out = it->get<std::string>();
    return {};
}

std::string read_stream(const json& j, announced_stream& s) {
    if (!j.is_object()) return "a stream must be an object";
    const auto name = j.find("name");
    if (name == j.end() || !name->is_string() || !stream_registry::valid_name(name->get_ref<const std::string&>()))
        return "a stream needs a \"name\" of 1-64 letters, digits, '_' or '-'";
    s.name = name->get<std::string>();
    std::uint64_t width = 0, height = 0;
    std::string why = read_bool(j, "online", true, s.online);
    if (why.empty()) why = read_text(j, "reason", s.reason);
    if (why.empty()) why = read_text(j, "message", s.message);
    if (why.empty()) why = read_text(j, "source", s.source);
    if (why.empty()) why = read_unsigned(j, "width", 65535, false, width);
    if (why.empty()) why = read_unsigned(j, "height", 65535, false, height);
    if (why.empty()) why = read_verifier(j, "view_check", s.view_check);
    if (why.empty()) why = read_verifier(j, "control_check", s.control_check);
    if (why.empty()) why = read_bool(j, "recording", false, s.recording);
    if (!why.empty()) return s.name + ": " + why;
    s.width = static_cast<std::uint16_t>(width);
    s.height = static_cast<std::uint16_t>(height);
    if (const auto fps = j.find("fps"); fps != j.end()) {
        // JSON has no NaN, but 1e999 parses as infinity.
        if (!fps->is_number() || !std::isfinite(fps->get<double>()) || fps->get<double>() < 0 ||
            fps->get<double>() > max_announced_fps)
            return s.name + ": \"fps\" must be a number 0..1000";
        s.fps = fps->get<double>();
    }
    return {};
}

std::string read_watching(const json& j, std::map<std::string, std::size_t>& out) {
    const auto it = j.find("watching");
    if (it == j.end()) return {};
    if (!it->is_object() || it->size() > max_announced_streams)
        return "\"watching\" must be an object of at most " + std::to_string(max_announced_streams) + " streams";
    for (const auto& [name, count] : it->items()) {
        if (!stream_registry::valid_name(name)) return "\"watching\" names an invalid stream";
        if (!count.is_number_unsigned() || count.get<std::uint64_t>() > max_watching_viewers)
            return "\"watching\": viewers must be an integer 0.." + std::to_string(max_watching_viewers);
        out[name] = static_cast<std::size_t>(count.get<std::uint64_t>());
    }
    return {};
}

std::optional<announce> refuse(std::string* error, std::string why) {
    if (error) *error = std::move(why);
    return std::nullopt;
}

}  // namespace

std::string encode_announce(const announce& a) {
    json streams = json::array();
    for (const auto& s : a.streams) {
        // A rate parse_announce would refuse is sent as 0 rather than making every node refuse
        // the whole announce; whole rates as integers ("fps":30), as people reading it expect.
        const double fps = std::isfinite(s.fps) && s.fps >= 0 && s.fps <= max_announced_fps ? s.fps : 0;
        const bool whole = std::nearbyint(fps) == fps;
        streams.push_back({{"name", s.name},
                           {"online", s.online},
                           {"reason", s.reason},
                           {"message", s.message},
                           {"width", s.width},
                           {"height", s.height},
                           {"fps", whole ? json(static_cast<std::int64_t>(fps)) : json(fps)},
                           {"source", s.source}});
        if (!s.view_check.empty()) streams.back()["view_check"] = s.view_check;
        if (!s.control_check.empty()) streams.back()["control_check"] = s.control_check;
        if (s.recording) streams.back()["recording"] = true;
    }
    json watching = json::object();
    for (const auto& [name, viewers] : a.watching) watching[name] = viewers;
    json out = {{"v", 1},
                {"node", a.node},
                {"epoch", a.epoch},
                {"seq", a.seq},
                {"leaving", a.leaving},
                {"streams", std::move(streams)},
                {"watching", std::move(watching)}};
    if (!a.url.empty()) out["url"] = a.url;
    return to_json_text(out);
}

std::optional<announce> parse_announce(std::string_view text, std::string* error) {
    if (text.size() > max_announce_bytes)
        return refuse(error, "announce of " + std::to_string(text.size()) + " bytes is larger than " +
                                 std::to_string(max_announce_bytes));
    const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return refuse(error, "not a JSON object");
    const auto v = j.find("v");
    if (v == j.end() || !v->is_number_unsigned() || v->get<std::uint64_t>() != 1)
        return refuse(error, "not version 1 (\"v\":1)");
    announce a;
    const auto node = j.find("node");
    if (node == j.end() || !node->is_string() || !valid_node_name(node->get_ref<const std::string&>()))
        return refuse(error, "\"node\" must be 1-64 letters, digits, '_', '.' or '-'");
    a.node = node->get<std::string>();
    const std::uint64_t any = ~std::uint64_t{0};
    std::string why = read_unsigned(j, "epoch", any, true, a.epoch);
    if (why.empty()) why = read_unsigned(j, "seq", any, true, a.seq);
    if (why.empty()) why = read_bool(j, "leaving", false, a.leaving);
    if (why.empty()) why = read_watching(j, a.watching);
    if (const auto url = j.find("url"); why.empty() && url != j.end()) {
        if (!url->is_string() || !valid_advertise_url(url->get_ref<const std::string&>()))
            why = "\"url\" must be http(s)://HOST[:PORT] and nothing more";
        else
            a.url = url->get<std::string>();
    }
    if (!why.empty()) return refuse(error, a.node + ": " + why);
    const auto streams = j.find("streams");
    if (streams == j.end() || !streams->is_array() || streams->size() > max_announced_streams)
        return refuse(error, a.node + ": \"streams\" must be an array of at most " +
                                 std::to_string(max_announced_streams));
    std::set<std::string> seen;
    for (const auto& item : *streams) {
        announced_stream s;
        why = read_stream(item, s);
        if (!why.empty()) return refuse(error, a.node + ": " + why);
        if (!seen.insert(s.name).second) return refuse(error, a.node + ": stream '" + s.name + "' appears twice");
        a.streams.push_back(std::move(s));
    }
    return a;
}

std::optional<relayed_frame> check_relayed_frame(std::span<const std::uint8_t> bytes, std::size_t max_frame_bytes,
                                                 std::uint64_t max_pixels, jpeg_decoder& decoder, std::string* why) {
    const auto no = [why](std::string text) -> std::optional<relayed_frame> {
        if (why) *why = std::move(text);
        return std::nullopt;
    };
    frame_header h;
    if (!parse_frame_header(bytes, h)) {
        // parse_frame_header only says no; say which of its checks failed.
        if (bytes.size() < frame::header_size)
            return no("frame message of " + std::to_string(bytes.size()) + " bytes is shorter than its " +
                      std::to_string(frame::header_size) + "-byte header");
        if (bytes[0] != frame::header_type_jpeg) return no("not a JPEG frame (header type " + std::to_string(bytes[0]) + ")");
        return no("header size " + std::to_string(bytes[1]) + " outside " + std::to_string(frame::header_size) + ".." +
                  std::to_string(bytes.size()));
    }
    // Only JPEGs travel between nodes: each node encodes H.264 for its own viewers.
    if (h.type != frame::header_type_jpeg) return no("not a JPEG frame (header type " + std::to_string(h.type) + ")");
    const auto jpeg = bytes.subspan(h.header_size);
    if (jpeg.size() > max_frame_bytes)
        return no("frame of " + std::to_string(jpeg.size()) + " bytes exceeds --max-frame-bytes " +
                  std::to_string(max_frame_bytes));
    if (!has_jpeg_markers(jpeg))
        return no("not a JPEG (no FFD8 start or FFD9 end marker), " + std::to_string(jpeg.size()) + " bytes");
    const std::string size = std::to_string(h.width) + "x" + std::to_string(h.height);
    if (h.width == 0 || h.height == 0) return no("picture of " + size + " has no area");
    if (std::uint64_t{h.width} * h.height > max_pixels)
        return no("picture of " + size + " exceeds --max-frame-pixels " + std::to_string(max_pixels));
    if (h.sequence == 0) return no("frame sequence 0 (owners number from 1)");
    std::string error;
    const auto picture = decoder.read_header(jpeg, &error);
    if (!picture) return no("JPEG header unreadable: " + error);
    if (jpeg_scan_count(jpeg, max_jpeg_scans) > max_jpeg_scans)
        return no("a JPEG of more than " + std::to_string(max_jpeg_scans) + " scans");
    if (picture->width != h.width || picture->height != h.height)
        return no("the JPEG is " + std::to_string(picture->width) + "x" + std::to_string(picture->height) +
                  " but its frame header says " + size);
    return relayed_frame{h.width, h.height, h.sequence, h.capture_us, jpeg};
}

bool valid_advertise_url(std::string_view url) {
    if (url.size() > 200) return false;
    std::string_view rest;
    if (url.starts_with("http://"))
        rest = url.substr(7);
    else if (url.starts_with("https://"))
        rest = url.substr(8);
    else
        return false;
    std::string_view host = rest, port;
    if (rest.starts_with('[')) {  // [IPv6]
        const auto close = rest.find(']');
        if (close == std::string_view::npos || close < 3) return false;
        const auto inside = rest.substr(1, close - 1);
        if (inside.find(':') == std::string_view::npos ||
            !std::all_of(inside.begin(), inside.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; }))
            return false;
        host = {};
        const auto after = rest.substr(close + 1);
        if (!after.empty() && after[0] != ':') return false;
        port = after.empty() ? std::string_view{} : after.substr(1);
        if (!after.empty() && port.empty()) return false;
    } else {
        const auto colon = rest.find(':');
        host = rest.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = rest.substr(colon + 1);
            if (port.empty()) return false;
        }
        // A host name: labels of letters, digits and '-', none empty, none starting or ending
        // with '-', the last not all digits unless the whole is an IPv4 address.
        if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.') return false;
        bool all_digits_or_dots = true;
        std::size_t label = 0;
        char prev = '.';
        for (const char c : host) {
            const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && c != '.' && c != '-') return false;
            if (c == '.' && (prev == '.' || prev == '-')) return false;
            if (c == '-' && prev == '.') return false;
            label = c == '.' ? 0 : label + 1;
            if (label > 63) return false;
            if (!(c >= '0' && c <= '9') && c != '.') all_digits_or_dots = false;
            prev = c;
        }
        if (prev == '-') return false;
        if (all_digits_or_dots && std::count(host.begin(), host.end(), '.') != 3) return false;  // 1e1-like or 5-part numbers
    }
    if (!port.empty()) {
        if (port.size() > 5 || port[0] == '0' || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return false;
        const int n = std::stoi(std::string(port));
        if (n < 1 || n > 65535) return false;
    }
    return true;
}

bool valid_node_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '.';
    });
}

std::string node_name_from_host(std::string host) {
    if (host.size() > 64) host.resize(64);
    for (char& c : host)
        if (!valid_node_name(std::string_view(&c, 1))) c = '-';
    return host.empty() ? "wscam" : host;
}

}  // namespace wscam::cluster
