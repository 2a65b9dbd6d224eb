#pragma once

#include <cstdint>
#include <vector>

#include "codec/jpeg_codec.hpp"

namespace wscam {

/** Raw camera pixel layouts wscam encodes (the V4L2 names). */
enum class raw_format { yuyv, uyvy, nv12, yu12, yv12, grey, rgb24, bgr24 };

/**
 * Encodes one raw camera frame to JPEG into `out` at `offset`, the cheapest way TurboJPEG
 * allows: planar YUV goes in as planes (no RGB detour), packed 4:2:2 is split into planes
 * (4:2:2 JPEG), NV12's interleaved chroma is split into two planes. `pitch` is the luma /
 * packed row stride in bytes (0 = tightly packed). `scratch` is reused between calls.
 */
std::size_t encode_raw_frame(jpeg_encoder& encoder, raw_format format, const std::uint8_t* data, int width, int height,
                             int pitch, int quality, std::vector<std::uint8_t>& scratch, std::vector<std::uint8_t>& out,
                             std::size_t offset);

}  // namespace wscam
