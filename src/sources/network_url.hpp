#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace wscam {

/** An http(s):// or ws(s):// camera URL, taken apart (by Boost.URL). */
struct network_url {
    std::string scheme;    // http, https, ws, wss
    std::string user;      // percent-decoded; empty when none
    std::string password;
    std::string host;      // without brackets for IPv6
    std::uint16_t port = 0;
    std::string target;    // path and query, at least "/"
    std::string fragment;  // after '#', decoded; never sent anywhere (wscam's own options, e.g. control=)
    bool tls() const { return scheme == "https" || scheme == "wss"; }
    /** host:port as the Host header wants it. */
    std::string host_header() const;
    /** The URL without credentials, for logs. */
    std::string redacted() const;
};

/** Parses `text`; nullopt with `error` set when it is not a usable http/https/ws/wss URL. */
std::optional<network_url> parse_network_url(const std::string& text, std::string* error = nullptr);

}  // namespace wscam
