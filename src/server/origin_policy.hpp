#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wscam {

/**
 * Who may open a WebSocket from a web page. Browsers do not apply CORS to WebSockets, so
 * without this any page a person visits could watch their camera through their browser and
 * change its controls (docs/SECURITY.md). A request with an `Origin` header is allowed when
 * the origin's host is the host the client addressed (the `Host` header's host, any port, so
 * the tutorial's page on :80 may open ws://HOST:81) or the origin is listed in `allowed`
 * ("*" allows any). A request without `Origin` (scripts, ffmpeg, cameras), or with one that
 * no web page has (not http(s) and not "null": the ESP32's arduinoWebSockets sends
 * "file://"), is not a browser page's and is allowed. Pure: unit-tested and fuzzed.
 *
 * The same rule guards the state changes made over plain HTTP (DELETE of recordings): a page
 * may send those with the token cookie the browser stores. `action` words the refusal.
 *
 * Returns nullopt when allowed, else the reason for the 403.
 */
std::optional<std::string> origin_refusal(std::string_view origin, std::string_view host_header,
                                          const std::vector<std::string>& allowed,
                                          std::string_view action = "open this WebSocket");

}  // namespace wscam
