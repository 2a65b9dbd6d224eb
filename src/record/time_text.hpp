#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wscam::record {

/**
 * A time as the recordings API takes it, everywhere: Unix seconds ("1765000000", with an
 * optional fraction "1765000000.25") or ISO 8601 in UTC ("2026-12-07T06:30:00Z", with an
 * optional fraction of up to 6 digits). Microseconds since the epoch; nullopt for anything else
 * (a time zone other than Z, a 13th month, text after it).
 */
std::optional<std::int64_t> parse_time(std::string_view text);

/** "2026-12-07T06:30:00.123456Z": how the API writes a time beside its Unix seconds. */
std::string iso_time(std::int64_t us);

}  // namespace wscam::record
