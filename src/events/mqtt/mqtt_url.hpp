#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wscam::events {

/** Where the MQTT broker is: `--mqtt mqtt://[user:pass@]HOST[:PORT]` or `mqtts://…` (TLS). */
struct mqtt_url {
    bool tls = false;
    std::string host;            // a name or an address; IPv6 without its brackets
    std::uint16_t port = 1883;   // 1883, or 8883 for mqtts
    std::string user, password;  // percent-decoded; never logged (shown() hides the password)
    bool operator==(const mqtt_url&) const = default;

    /** The URL as logs may show it: the password as ***. */
    std::string shown() const;
};

/** Reads `text`; nullopt and why (never repeating the password) when it is not such a URL. */
std::optional<mqtt_url> parse_mqtt_url(std::string_view text, std::string* why = nullptr);

/** A topic level a name may become: [A-Za-z0-9_-] kept, anything else '_' (MQTT's + # / are wildcards and levels). */
std::string topic_level(std::string_view name);

}  // namespace wscam::events
