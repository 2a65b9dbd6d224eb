#include "events/mqtt/mqtt_url.hpp"

#include <cctype>
#include <charconv>

namespace wscam::events {
namespace {

std::optional<std::string> percent_decoded(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        int v = 0;
        const auto [end, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
        if (ec != std::errc() || end != s.data() + i + 3) return std::nullopt;
        out += static_cast<char>(v);
        i += 2;
    }
    return out;
}

bool fail(std::string* why, const char* text) {
    if (why) *why = text;
    return false;
}

}  // namespace

std::string mqtt_url::shown() const {
    std::string out = tls ? "mqtts://" : "mqtt://";
    if (!user.empty()) out += user + (password.empty() ? "" : ":***") + "@";
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return out + ":" + std::to_string(port);
}

std::optional<mqtt_url> parse_mqtt_url(std::string_view text, std::string* why) {
    mqtt_url u;
    auto refuse = [&](const char* w) {
        fail(why, w);
        return std::nullopt;
    };
    if (text.starts_with("mqtt://")) {
        text.remove_prefix(7);
    } else if (text.starts_with("mqtts://")) {
        text.remove_prefix(8);
        u.tls = true;
        u.port = 8883;
    } else {
        return refuse("give mqtt://[user:pass@]HOST[:PORT] or mqtts://... (TLS)");
    }
    if (text.ends_with('/')) text.remove_suffix(1);
    if (text.find_first_of("/?#") != std::string_view::npos) return refuse("a broker's URL has no path or query: mqtt://HOST[:PORT]");
    if (const auto at = text.rfind('@'); at != std::string_view::npos) {
        const auto userinfo = text.substr(0, at);
        text.remove_prefix(at + 1);
        const auto colon = userinfo.find(':');
        const auto user = percent_decoded(userinfo.substr(0, colon));
        const auto pass = colon == std::string_view::npos ? std::optional<std::string>("") : percent_decoded(userinfo.substr(colon + 1));
        if (!user || !pass) return refuse("the user or password has a bad %-escape");
        if (user->empty()) return refuse("a password needs a user: mqtt://user:pass@HOST");
        u.user = *user;
        u.password = *pass;
    }
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos) return refuse("an IPv6 address in brackets: mqtt://[::1]:1883");
        u.host = std::string(text.substr(1, close - 1));
        text.remove_prefix(close + 1);
        if (!text.empty() && !text.starts_with(':')) return refuse("after the address comes :PORT or nothing");
        if (!text.empty()) port = text.substr(1);
    } else {
        const auto colon = text.find(':');
        u.host = std::string(text.substr(0, colon));
        if (colon != std::string_view::npos) port = text.substr(colon + 1);
    }
    if (u.host.empty()) return refuse("no broker host: mqtt://HOST[:PORT]");
    for (const char c : u.host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '_'))
            return refuse("the host is a name or an address");
    if (!port.empty() || text.ends_with(':')) {
        unsigned p = 0;
        const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
        if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535)
            return refuse("the port is a number from 1 to 65535");
        u.port = static_cast<std::uint16_t>(p);
    }
    return u;
}

std::string topic_level(std::string_view name) {
    std::string out;
    for (const char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '_';
    return out.empty() ? std::string("_") : out;
}

}  // namespace wscam::events
