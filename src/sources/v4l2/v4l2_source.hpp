#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/frame_hub.hpp"
#include "core/frame_size.hpp"
#include "core/source.hpp"
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

/**
 * A Linux camera through the kernel's V4L2 API (mmap streaming I/O). MJPEG is passed through
 * (standard Huffman tables added when the camera omits them); raw formats (YUYV, UYVY, NV12,
 * YU12, YV12, GREY, RGB24, BGR24) are encoded with TurboJPEG from their own planes. Captures
 * only while someone watches; a vanished device puts the stream offline and is reopened with
 * backoff. The device's controls are the stream's controls.
 */
class v4l2_source : public source {
public:
    v4l2_source(std::shared_ptr<frame_hub> hub, v4l2_options options);
    ~v4l2_source() override;

    void start() override;
    void stop() override;
    std::string describe() const override;

    struct state;

private:
    void run(std::stop_token stop);

    std::shared_ptr<frame_hub> hub_;
    v4l2_options options_;
    std::shared_ptr<state> state_;
    std::jthread thread_;
};

/** `wscam --list-devices`: every capture device with formats, sizes, rates and controls. */
std::string list_v4l2_devices(bool json);

}  // namespace wscam
