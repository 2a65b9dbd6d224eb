#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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
    /**
     * One of wscam's options after '#', separated by '&': `insecure` (do not verify the
     * camera's TLS certificate: self-signed boards) or `control=URL|none` (its value may
     * contain '&'). Empty string for a flag; nullopt when absent.
     */
    std::optional<std::string> fragment_option(std::string_view name) const;
    bool insecure() const { return fragment_option("insecure").has_value(); }
    /** host:port as the Host header wants it. */
    std::string host_header() const;
    /** The URL without credentials, for logs. */
    std::string redacted() const;
};

/** Parses `text`; nullopt with `error` set when it is not a usable http/https/ws/wss URL. */
std::optional<network_url> parse_network_url(const std::string& text, std::string* error = nullptr);

/** `Authorization: Basic …` value for the URL's credentials. */
std::string basic_auth(const network_url& url);

}  // namespace wscam
