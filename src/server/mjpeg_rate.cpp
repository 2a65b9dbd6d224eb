#include "server/mjpeg_rate.hpp"

#include <charconv>
#include <cmath>

namespace wscam {

std::optional<double> parse_mjpeg_fps(std::string_view text) {
    if (text.empty()) return 0.0;
    double fps = 0;
    // from_chars: no leading blanks or '+', no hexadecimal unless asked, a range error for 1e400.
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), fps, std::chars_format::general);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    if (!std::isfinite(fps) || fps < min_mjpeg_fps || fps > max_mjpeg_fps) return std::nullopt;
    return fps;
}

std::int64_t mjpeg_min_interval_us(double fps) {
    // Within the bounds above this is at most 9e7 µs: the conversion cannot overflow.
    if (!(fps >= min_mjpeg_fps && fps <= max_mjpeg_fps)) return 0;
    return static_cast<std::int64_t>(1e6 / fps * 0.9);
}

}  // namespace wscam
