#pragma once

#include <cstdint>

namespace wscam::events {

/** How long events are kept: --events-max-age, --events-max-bytes (their snapshots together; 0: no cap). */
struct event_retention {
    std::int64_t max_age_us = 30LL * 86'400 * 1'000'000;
    std::uint64_t max_bytes = 1ULL << 30;
    bool operator==(const event_retention&) const = default;
};

}  // namespace wscam::events
