#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wscam {

/** The host a client addressed and the port, as its `Host` header says (RFC 9110 7.2, RFC 3986 3.2.2). */
struct host_authority {
    std::string host;                   // lower case, no trailing dot; an IPv6 address in its brackets
    std::optional<std::uint16_t> port;  // none when the header gives none (or an empty one)
    bool ip_literal = false;            // an IPv4 address or a bracketed IPv6 address: no name to resolve

    /** host[:port], as it goes into a URL. */
    std::string text() const;
};

/**
 * Reads a `Host` header: a name (letters, digits, `-`, `_`, dots between labels; at most 253
 * characters), a dotted-quad IPv4 address or an IPv6 address in brackets, then an optional
 * `:port` (0-65535). nullopt for anything else — empty, user information (`a@b`), a path, a
 * backslash, spaces or control characters, an unclosed bracket, a bad port — so that what is
 * accepted can be put into a URL as it is. Pure: unit-tested and fuzzed.
 */
std::optional<host_authority> parse_host_header(std::string_view value);

}  // namespace wscam
