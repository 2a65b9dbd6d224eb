#pragma once

#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>

namespace wscam::record {

/** A recorded JPEG and when it was captured. */
struct recorded_jpeg {
    std::vector<std::uint8_t> jpeg;
    std::int64_t capture_us = 0;
};

/**
 * What the viewer plays a JPEG recording from: the pictures of `segments` (oldest first; file
 * and first capture time) from the one on screen at `from_us` on, at most `max_count` of them
 * and about `max_bytes` (the picture that crosses it is the last), across segments and the gaps
 * between them. An H.264 segment ends the list (browsers play those in <video>), and so does a
 * newest segment that cannot be read yet (its recorder has just created it). Blocking (file
 * I/O): never on an I/O thread. Throws segment_error when another file cannot be read.
 */
std::vector<recorded_jpeg> jpegs_from(const std::vector<std::pair<std::filesystem::path, std::int64_t>>& segments,
                                      std::int64_t from_us, std::size_t max_count, std::size_t max_bytes);

}  // namespace wscam::record
