#include "sources/v4l2/v4l2_frame_publisher.hpp"

#include <linux/videodev2.h>
#include <spdlog/spdlog.h>

#include "codec/jpeg_dht.hpp"
#include "codec/raw_encode.hpp"
#include "sources/v4l2/v4l2_capture.hpp"
#include "sources/v4l2/v4l2_formats.hpp"

namespace wscam {

v4l2_frame_publisher::v4l2_frame_publisher(std::shared_ptr<stream> hub, const v4l2_options& options)
    : hub_(std::move(hub)), quality_(options.quality),
      intake_(hub_, options.intake.max_frame_bytes, options.intake.max_frame_pixels) {}

bool v4l2_frame_publisher::publish(std::span<const std::uint8_t> data, const v4l2_capture& capture) {
    const auto capture_us = unix_now_us();
    const auto fourcc = capture.fourcc();
    try {
        if (fourcc == V4L2_PIX_FMT_MJPEG || fourcc == V4L2_PIX_FMT_JPEG) {
            // Passthrough, with the standard tables added when the camera left them out.
            if (has_huffman_tables(data)) return intake_.offer(data, capture_us);
            return intake_.offer(with_standard_huffman_tables(data), capture_us);
        }
        auto storage = frame::make_storage(0);
        const std::size_t size = encode_raw_frame(encoder_, raw_format_of(fourcc), data.data(), capture.width(),
                                                  capture.height(), capture.pitch(), quality_, planes_, storage,
                                                  frame::header_size);
        hub_->publish(std::move(storage), size,
                      frame_info{static_cast<std::uint16_t>(capture.width()), static_cast<std::uint16_t>(capture.height()),
                                 capture_us});
        return true;
    } catch (const std::exception& e) {
        spdlog::warn("stream={} frame dropped: {}", hub_->name(), e.what());
        return false;
    }
}

}  // namespace wscam
