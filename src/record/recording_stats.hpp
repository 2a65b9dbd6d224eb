#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace wscam::record {

/** What a recorder is doing, for /api/streams and /metrics. */
struct recording_stats {
    bool recording = false;  // a segment is open
    std::string error;       // why it cannot record now (a full disk, a folder gone); empty when it can
    std::uint64_t bytes = 0;
    std::uint64_t segments = 0;
    std::uint64_t frames = 0;
    std::uint64_t dropped = 0;  // pictures the disk was too slow for
};

/** A stream's recorder's stats by stream name; nullopt when the stream is not recorded. */
using recording_lookup = std::function<std::optional<recording_stats>(const std::string& stream)>;

}  // namespace wscam::record
