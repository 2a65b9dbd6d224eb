#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "record/segment_writer.hpp"

namespace wscam::record {

/** Whether a stream is recorded: all the time, only its event clips, or not. */
enum class mode { off, continuous, events };

/** "off", "continuous", "events" (the names the config file and --record take), or nullopt. */
std::optional<record::mode> parse_mode(std::string_view text);
std::string_view to_string(record::mode m);
/** "h264", "mjpeg", or nullopt. */
std::optional<record::codec> parse_codec(std::string_view text);
std::string_view to_string(record::codec c);
/**
 * A timelapse period: seconds, or a number with s, m or h ("60s", "5m"), from 1 s to 24 h; "0"
 * (no timelapse) is 0. nullopt: not one of them.
 */
std::optional<std::int64_t> parse_timelapse(std::string_view text);

}  // namespace wscam::record
