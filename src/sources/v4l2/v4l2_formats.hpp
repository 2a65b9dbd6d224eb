#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "codec/raw_encode.hpp"
#include "core/frame_size.hpp"
#include "sources/v4l2/v4l2_device.hpp"

namespace wscam {

/**
 * Which of a camera's pixel formats wscam streams, and which one and what size it asks for:
 * MJPEG is passed through; the raw formats (YUYV, NV12, YU12, UYVY, YV12, RGB24, BGR24, GREY,
 * preferred in that order) are encoded by wscam.
 */

/** True for a format wscam can stream. */
bool supported_format(std::uint32_t fourcc);

/** The raw_format that encode_raw_frame takes for a (supported, raw) V4L2 format. */
raw_format raw_format_of(std::uint32_t fourcc);

/**
 * The format to capture: `wanted` (a user's name, e.g. "yuyv"; empty for none), which the
 * device must offer, else MJPEG, else the best raw format it offers. Throws v4l2_error.
 */
std::uint32_t choose_format(const v4l2_device_info& device, const std::string& wanted);

/** The size to ask for: `wanted`, else the size the device offers in `fourcc` nearest 1280x720. */
frame_size choose_size(const v4l2_device_info& device, std::uint32_t fourcc, const std::optional<frame_size>& wanted);

}  // namespace wscam
