#include "server/host_header.hpp"

#include <arpa/inet.h>

#include <cctype>

namespace wscam {
namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }

// An empty port ("host:") is allowed and means none.
bool parse_port(std::string_view digits, std::optional<std::uint16_t>& port) {
    port.reset();
    if (digits.empty()) return true;
    if (digits.size() > 5) return false;
    unsigned value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return false;
    port = static_cast<std::uint16_t>(value);
    return true;
}

}  // namespace

std::string host_authority::text() const { return port ? host + ":" + std::to_string(*port) : host; }

std::optional<host_authority> parse_host_header(std::string_view value) {
    host_authority out;
    std::string_view host, port;
    if (value.starts_with('[')) {
        const auto close = value.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        const std::string inner(value.substr(1, close - 1));
        // Only what an IPv6 address is written with: inet_pton stops at a NUL, so "[::\0/x]" would pass as "::".
        const bool v6_chars = inner.find_first_not_of("0123456789abcdefABCDEF:.") == std::string::npos;
        in6_addr v6{};
        if (inner.empty() || inner.size() > 45 || !v6_chars || inet_pton(AF_INET6, inner.c_str(), &v6) != 1)
            return std::nullopt;
        host = value.substr(0, close + 1);
        const auto rest = value.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return std::nullopt;
        if (!rest.empty()) port = rest.substr(1);
        out.ip_literal = true;
    } else {
        const auto colon = value.find(':');
        host = value.substr(0, colon);
        if (colon != std::string_view::npos) port = value.substr(colon + 1);
        if (host.ends_with('.')) host.remove_suffix(1);  // "localhost." is "localhost"
        if (host.empty() || host.size() > 253 || host.front() == '.' || host.find("..") != std::string_view::npos)
            return std::nullopt;
        for (const char c : host)
            if (!name_char(c)) return std::nullopt;
        const std::string text(host);
        in_addr v4{};
        out.ip_literal = inet_pton(AF_INET, text.c_str(), &v4) == 1;
    }
    if (!parse_port(port, out.port)) return std::nullopt;
    out.host.reserve(host.size());
    for (const char c : host) out.host.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return out;
}

}  // namespace wscam
