#include "record/recording_options.hpp"

#include "record/retention.hpp"

namespace wscam::record {

std::optional<record::mode> parse_mode(std::string_view text) {
    if (text == "off") return mode::off;
    if (text == "continuous") return mode::continuous;
    if (text == "events") return mode::events;
    return std::nullopt;
}

std::string_view to_string(record::mode m) {
    switch (m) {
    case mode::continuous: return "continuous";
    case mode::events: return "events";
    case mode::off: break;
    }
    return "off";
}

std::optional<record::codec> parse_codec(std::string_view text) {
    if (text == "h264") return codec::h264;
    if (text == "mjpeg") return codec::mjpeg;
    return std::nullopt;
}

std::string_view to_string(record::codec c) { return c == codec::h264 ? "h264" : "mjpeg"; }

std::optional<std::int64_t> parse_timelapse(std::string_view text) {
    if (text.ends_with('d')) return std::nullopt;  // a day between pictures is not a timelapse
    const auto us = parse_age(text);
    if (!us || *us % 1'000'000 != 0) return std::nullopt;
    const auto seconds = *us / 1'000'000;
    if (seconds != 0 && (seconds < 1 || seconds > 86'400)) return std::nullopt;
    return seconds;
}

}  // namespace wscam::record
