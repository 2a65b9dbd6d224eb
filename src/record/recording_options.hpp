#pragma once

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

}  // namespace wscam::record
