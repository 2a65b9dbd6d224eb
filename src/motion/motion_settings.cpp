#include "motion/motion_settings.hpp"

#include <charconv>
#include <cmath>

namespace wscam::motion {

std::optional<std::string> check(const settings& s) {
    if (s.threshold < 1 || s.threshold > 255) return "motion_threshold must be a whole number from 1 to 255 (a pixel's brightness change)";
    if (!(s.min_area >= 0.0001 && s.min_area <= 1))
        return "motion_min_area must be a share of the picture from 0.0001 to 1 (0.005: half a percent)";
    if (s.cooldown < std::chrono::milliseconds(500) || s.cooldown > std::chrono::hours(1))
        return "motion_cooldown must be from 0.5s to 1h";
    if (s.mask.size() > 16) return "motion_mask: at most 16 polygons";
    for (const auto& p : s.mask) {
        if (p.size() < 3 || p.size() > 64) return "motion_mask: each polygon has 3 to 64 points";
        for (const auto& q : p)
            if (!(q.x >= 0 && q.x <= 1 && q.y >= 0 && q.y <= 1))
                return "motion_mask: points are [x, y] fractions of the picture, each from 0 to 1";
    }
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_cooldown(std::string_view text) {
    double scale = 1000;
    if (text.ends_with('s')) {
        text.remove_suffix(1);
    } else if (text.ends_with('m')) {
        text.remove_suffix(1);
        scale = 60'000;
    }
    if (text.empty() || text.size() > 16) return std::nullopt;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
    const double ms = value * scale;
    if (!(ms >= 500 && ms <= 3'600'000)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

std::vector<std::uint8_t> mask_grid(const std::vector<polygon>& mask, int width, int height) {
    std::vector<std::uint8_t> grid(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), 0);
    for (const auto& poly : mask) {
        for (int y = 0; y < height; ++y) {
            const double py = (y + 0.5) / height;
            for (int x = 0; x < width; ++x) {
                const double px = (x + 0.5) / width;
                bool inside = false;
                for (std::size_t i = 0, j = poly.size() - 1; i < poly.size(); j = i++) {
                    const auto& a = poly[i];
                    const auto& b = poly[j];
                    if ((a.y > py) != (b.y > py) && px < (b.x - a.x) * (py - a.y) / (b.y - a.y) + a.x) inside = !inside;
                }
                if (inside) grid[static_cast<std::size_t>(y) * width + x] = 1;
            }
        }
    }
    return grid;
}

}  // namespace wscam::motion
