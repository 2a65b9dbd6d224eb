#pragma once

#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "core/stream.hpp"
#include "core/source.hpp"
#include "sources/v4l2/v4l2_options.hpp"

namespace wscam {

class backoff;
class v4l2_capture;
class v4l2_controls;
class v4l2_frame_publisher;

/**
 * A Linux camera through the kernel's V4L2 API (mmap streaming I/O). MJPEG is passed through
 * (standard Huffman tables added when the camera omits them); raw formats (YUYV, UYVY, NV12,
 * YU12, YV12, GREY, RGB24, BGR24) are encoded with TurboJPEG from their own planes. Captures
 * only while someone watches; a vanished device puts the stream offline and is reopened with
 * backoff. The device's controls are the stream's controls. Runs on a thread of its own: a
 * device dequeue is a blocking call.
 */
class v4l2_source : public source {
public:
    v4l2_source(std::shared_ptr<stream> hub, v4l2_options options);
    ~v4l2_source() override;

    void start() override;
    void stop() override;
    std::string describe() const override;

private:
    void run(std::stop_token stop);
    void capture_while_watched(v4l2_capture& capture, std::stop_token stop, v4l2_frame_publisher& frames, backoff& retry);

    std::shared_ptr<stream> hub_;
    v4l2_options options_;
    std::shared_ptr<v4l2_controls> controls_;
    std::jthread thread_;
};

}  // namespace wscam
