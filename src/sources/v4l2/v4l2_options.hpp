#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/frame_size.hpp"
#include "core/source_uri.hpp"
#include "sources/source_options.hpp"

namespace wscam {

struct v4l2_options {
    std::string path = "/dev/video0";
    std::optional<frame_size> size;  // default: the device's mode nearest 1280x720
    double fps = 30;
    std::string format;              // "" = MJPEG if the device has it, else the best raw format
    int buffers = 4;
    int quality = 80;                // for raw formats, which wscam encodes
    std::map<std::string, double> initial_controls;  // ctrl.NAME=VALUE in the URI
    intake_options intake;
};

/** Reads `v4l2:/dev/videoN?size=&fps=&format=&buffers=&quality=&ctrl.NAME=` over `defaults`; throws std::invalid_argument. */
v4l2_options v4l2_options_from(const source_uri& uri, v4l2_options defaults);

}  // namespace wscam
