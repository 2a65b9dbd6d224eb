#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record/recording_index.hpp"

namespace wscam::record {

/** How much of a stream's past is kept; 0 means no limit. */
struct keep_limits {
    std::int64_t max_age_us = 0;  // record_max_age: a segment that ended longer ago goes
    std::uint64_t max_bytes = 0;  // record_max_bytes: the stream's oldest segments go until it fits
    bool operator==(const keep_limits&) const = default;
};

/**
 * Which finished segments to delete, oldest first (pure: the recordings manager acts on it).
 * Per stream: every segment that ended more than its max age before `now`, then its oldest
 * until its bytes fit its max. Then, across streams, the oldest until the folder fits
 * `folder_max_bytes` (`--record-dir-max-bytes`). A stream without limits of its own
 * (`limits` lacks it: recorded before, not now) is only under the folder's cap.
 */
std::vector<segment_entry> expired_segments(const std::vector<segment_entry>& segments,
                                            const std::map<std::string, keep_limits>& limits,
                                            std::uint64_t folder_max_bytes, std::int64_t now_us);

/** "90s", "30m", "12h", "7d", or plain seconds ("3600"); 0 is no limit. nullopt: not one of them. */
std::optional<std::int64_t> parse_age(std::string_view text);
/** "500M", "20G", "2T", "4096K", or plain bytes (powers of 1024); 0 is no limit. nullopt: not one of them. */
std::optional<std::uint64_t> parse_bytes(std::string_view text);

}  // namespace wscam::record
