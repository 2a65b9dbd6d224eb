#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "codec/jpeg_codec.hpp"
#include "core/stream.hpp"
#include "sources/frame_intake.hpp"
#include "sources/v4l2/v4l2_options.hpp"

namespace wscam {

class v4l2_capture;

/**
 * Publishes what a V4L2 capture dequeued as the stream's frames: MJPEG passed through the
 * frame intake (the standard Huffman tables added when the camera left them out, as many
 * UVC cameras do), raw formats encoded to JPEG from their own planes. A frame that cannot be
 * made is dropped with a log line, never fatal. One per capture thread.
 */
class v4l2_frame_publisher {
public:
    v4l2_frame_publisher(std::shared_ptr<stream> hub, const v4l2_options& options);

    /** True when the frame went out. */
    bool publish(std::span<const std::uint8_t> data, const v4l2_capture& capture);

private:
    std::shared_ptr<stream> hub_;
    int quality_;
    frame_intake intake_;
    jpeg_encoder encoder_;
    std::vector<std::uint8_t> planes_;  // encode_raw_frame's scratch
};

}  // namespace wscam
