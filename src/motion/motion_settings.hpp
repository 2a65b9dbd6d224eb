#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wscam::motion {

/** A point of a mask polygon, in fractions of the picture: (0,0) top left, (1,1) bottom right. */
struct point {
    double x = 0;
    double y = 0;
    bool operator==(const point&) const = default;
};
using polygon = std::vector<point>;

/**
 * How a stream looks for motion (`motion = true` in its `[[stream]]`, or `--motion`). The names
 * and ranges are the configuration's: check() says what is out of range, for the config file's
 * FILE:LINE message and --help.
 */
struct settings {
    /** A pixel moved when its brightness differs from the background by more than this (1-255). */
    int threshold = 25;
    /** Motion is at least this share of the picture (outside the mask) moving: 0.0001-1. */
    double min_area = 0.005;
    /** Areas never looked at (a clock, a tree, a road): polygons of 3-64 points, at most 16. */
    std::vector<polygon> mask;
    /** An event ends after this long without motion; two crossings closer than this are one event. */
    std::chrono::milliseconds cooldown{5000};
    bool operator==(const settings&) const = default;
};

/** Why `s` cannot be used (the key's name and its range), or nullopt. */
std::optional<std::string> check(const settings& s);

/** A cooldown: seconds, or a number with s or m ("5s", "2m"), from 0.5 s to 1 h. nullopt: not one. */
std::optional<std::chrono::milliseconds> parse_cooldown(std::string_view text);

/**
 * The mask on a w x h grid: 1 where a pixel's centre lies inside any polygon (even-odd rule),
 * 0 elsewhere. Empty polygons list: all zeros.
 */
std::vector<std::uint8_t> mask_grid(const std::vector<polygon>& mask, int width, int height);

}  // namespace wscam::motion
