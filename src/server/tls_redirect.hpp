#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wscam {

/**
 * Where `--require-tls` sends a plain request: `https://HOST[:PORT]/PATH[?QUERY]`, built from
 * the parsed `Host` (parse_host_header) and a target that is a path. Leading slashes collapse
 * into one (`//evil.example/x` is the path `/evil.example/x`). nullopt when the Host is no
 * host[:port] or the target is not a path (`@evil.example/`, `http://…`), holds a backslash,
 * a space, a control or non-ASCII character: the Location was once Host + the raw target, and
 * `GET @evil.example/` went to https://camera.lan@evil.example/. Pure: unit-tested and fuzzed.
 */
std::optional<std::string> https_location(std::string_view host_header, std::string_view target);

}  // namespace wscam
