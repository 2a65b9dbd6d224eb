#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wscam {

/** The rates a reader of `/stream/<stream>.mjpg` may ask for with `?fps=`: one frame per 100 s to 1,000 a second. */
inline constexpr double min_mjpeg_fps = 0.01;
inline constexpr double max_mjpeg_fps = 1000;

/**
 * The value of `?fps=`: 0 (every frame) when it is empty, else a decimal number from
 * `min_mjpeg_fps` to `max_mjpeg_fps`; nullopt for anything else (NaN, infinities, other
 * words, hexadecimal). The bounds keep the frame interval a small integer: ?fps=1e-14 once
 * overflowed its conversion to microseconds (undefined behaviour) and lifted the cap. Pure.
 */
std::optional<double> parse_mjpeg_fps(std::string_view text);

/** The least time between two frames for a reader capped at `fps` (0: no cap), with 10 % slack for the camera's jitter. */
std::int64_t mjpeg_min_interval_us(double fps);

}  // namespace wscam
