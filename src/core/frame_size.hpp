#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wscam {

struct frame_size {
    std::uint16_t width = 0;
    std::uint16_t height = 0;
    bool operator==(const frame_size&) const = default;
};

/**
 * Parses "640x480" or a named size as the ESP32 camera driver spells them
 * (QQVGA, QVGA, CIF, HVGA, VGA, SVGA, XGA, HD, SXGA, UXGA, FHD; any case).
 * Sizes run from 16x16 to 8192x8192. Returns nullopt and sets `error` otherwise.
 */
std::optional<frame_size> parse_frame_size(std::string_view text, std::string* error = nullptr);

/** parse_frame_size for a source URI's `size=`: throws std::invalid_argument("<scheme>: <why>"). */
frame_size frame_size_param(std::string_view text, std::string_view scheme);

std::string to_string(const frame_size& s);

}  // namespace wscam
