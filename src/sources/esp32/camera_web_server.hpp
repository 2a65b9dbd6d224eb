#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/controls.hpp"

namespace wscam::esp32 {

/**
 * Espressif's CameraWebServer example (arduino-esp32), seen from outside: `GET /status` on
 * port 80 answers JSON with the sensor's settings; `GET /control?var=NAME&val=INT` sets one
 * (200 with an empty body, 500 for an unknown name or a refused value). Pure: what the JSON
 * means, which controls it offers, and how to label frame sizes.
 */

/** esp32-camera renumbered framesize_t in 2.0.14 (128x128 and 320x320 were inserted). */
enum class framesize_numbering { current, before_2_0_14 };

/** Width and height of framesize `value` under `numbering`, or nullopt when it has none. */
std::optional<std::pair<int, int>> framesize_dimensions(int value, framesize_numbering numbering);

/**
 * Which numbering a board uses, from the framesize it reports and the size of the frames it
 * really sends; nullopt when both or neither fit (e.g. sizes that did not move).
 */
std::optional<framesize_numbering> guess_numbering(int framesize, int width, int height);

/** What a /status answer says: the board's controls, or why it is not a CameraWebServer. */
struct status_reading {
    bool is_camera_web_server = false;
    std::string why_not;                // when it is not
    std::vector<control_info> controls; // in the order of the board's own page
};

/**
 * Reads a /status body. Only keys the board reports become controls (older firmware lacks
 * some, e.g. vflip); `sharpness` is reported but not settable; `led_intensity` -1 means no LED;
 * a value beyond +-1,000,000 is no reading (left out). Every value kept fits an int.
 */
status_reading read_status(std::string_view body, framesize_numbering numbering);

/** The request target of one of the API's pages (`status`, `control`) under `base_path`. */
std::string api_target(std::string_view base_path, std::string_view page);

/** The request target that sets `id` to `value`: `/control?var=ID&val=INT` under `base_path`. */
std::string control_target(std::string_view base_path, const std::string& id, double value);

}  // namespace wscam::esp32
