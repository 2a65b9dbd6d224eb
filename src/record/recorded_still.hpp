#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace wscam::record {

/** A picture of a recording, as a JPEG. */
struct still {
    std::vector<std::uint8_t> jpeg;
    std::int64_t capture_us = 0;  // when the picture shown was captured
};

/**
 * The picture a segment showed at `at_us`: the newest one captured at or before it (nullopt
 * when the segment starts after `at_us`). MJPEG: the camera's JPEG as it came. H.264: the
 * pictures from the keyframe before it are decoded with libavcodec and the one shown is
 * encoded as a JPEG (TurboJPEG, quality 85). Blocking (file I/O, decoding: tens of ms for a
 * GOP): never on an I/O thread. Throws segment_error when the file cannot be read or decoded.
 */
std::optional<still> still_at(const std::filesystem::path& segment, std::int64_t start_us, std::int64_t at_us);

}  // namespace wscam::record
