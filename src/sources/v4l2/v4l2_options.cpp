#include "sources/v4l2/v4l2_options.hpp"

#include <stdexcept>

#include "sources/v4l2/v4l2_device.hpp"
#include "sources/v4l2/v4l2_formats.hpp"

namespace wscam {

v4l2_options v4l2_options_from(const source_uri& uri, v4l2_options o) {
    if (!uri.target.empty()) o.path = uri.target;
    for (const auto& [key, value] : uri.params) {
        if (key == "size") {
            o.size = frame_size_param(value, "v4l2");
        } else if (key == "fps") {
            o.fps = uri.number(key, o.fps, 0.1, 1000);
        } else if (key == "format") {
            if (!fourcc_from_name(value) || !supported_format(fourcc_from_name(value)))
                throw std::invalid_argument("v4l2: format=" + value +
                                            " is not one of mjpeg, yuyv, uyvy, nv12, yu12, yv12, grey, rgb24, bgr24");
            o.format = value;
        } else if (key == "buffers") {
            o.buffers = static_cast<int>(uri.number(key, o.buffers, 2, 32));
        } else if (key == "quality") {
            o.quality = static_cast<int>(uri.number(key, o.quality, 1, 100));
        } else if (key.rfind("ctrl.", 0) == 0 && key.size() > 5) {
            o.initial_controls[key.substr(5)] = uri.number(key, 0, -1e9, 1e9);
        } else {
            throw std::invalid_argument("v4l2: unknown parameter '" + key +
                                        "' (known: size, fps, format, buffers, quality, ctrl.NAME)");
        }
    }
    return o;
}

}  // namespace wscam
