#include "server/origin_policy.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace wscam {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// The host of "host", "host:port", "[v6]" or "[v6]:port".
std::string_view host_of(std::string_view authority) {
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        return close == std::string_view::npos ? std::string_view() : authority.substr(0, close + 1);
    }
    return authority.substr(0, authority.find(':'));
}

// The host of an origin ("scheme://host[:port]"), or empty when it is none ("null", garbage).
std::string_view origin_host(std::string_view origin) {
    const auto sep = origin.find("://");
    if (sep == std::string_view::npos || sep == 0) return {};
    auto authority = origin.substr(sep + 3);
    if (authority.find_first_of("/?#@") != std::string_view::npos) return {};
    return host_of(authority);
}

}  // namespace

std::optional<std::string> origin_refusal(std::string_view origin, std::string_view host_header,
                                          const std::vector<std::string>& allowed, std::string_view action) {
    if (origin.empty()) return std::nullopt;  // not sent by a web page
    const auto origin_l = lower(origin);
    // Web pages have http(s) origins, or "null" (sandboxed frames, file:// pages). Anything else
    // is no page: arduinoWebSockets, which ESP32 cameras use, sends "Origin: file://".
    if (!origin_l.starts_with("http://") && !origin_l.starts_with("https://") && origin_l != "null") return std::nullopt;
    for (const auto& a : allowed)
        if (a == "*" || lower(a) == origin_l) return std::nullopt;
    const auto host = origin_host(origin_l);
    const auto addressed = lower(host_of(host_header));
    if (!host.empty() && !addressed.empty() && host == addressed) return std::nullopt;
    return "a page from " + sanitize_text(origin, 200) + " may not " + std::string(action) + " (start wscam with --allow-origin " +
           sanitize_text(origin, 200) + " to allow it)";
}

}  // namespace wscam
