#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace wscam::record {

/** An export that cannot be made: why, for the one asking (no paths). */
class export_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** What an export holds. */
struct export_result {
    std::uint64_t frames = 0;  // pictures of [from, to), the ones a player shows
    std::int64_t first_us = 0;  // capture time of the first of them
    std::int64_t last_us = 0;   // and of the last
};

/**
 * One MP4 of the pictures captured in [from_us, to_us), remuxed from `segments` (oldest first;
 * each a pair of file and its first capture time) with libavformat, never re-encoded: the
 * samples are the recorded bytes. The file is a plain (not fragmented) MP4 with its index in
 * front (faststart), so every player seeks in it and a browser starts playing before the end.
 *
 * Times: a picture's place in the file is its capture time minus `from_us`, so the export plays
 * at the rate it was captured and a gap stays a gap (the picture before it holds). H.264 can
 * only start at a keyframe: the pictures from the keyframe before `from_us` are written too, with
 * an edit list that hides them, so players show exactly the range. Every segment must hold the
 * first one's codec and size (export_error names where it changes). Blocking (file I/O): never
 * on an I/O thread. Throws export_error (nothing in the range, a change of format) or
 * segment_error (a file that cannot be read or written).
 */
export_result export_range(const std::vector<std::pair<std::filesystem::path, std::int64_t>>& segments,
                           std::int64_t from_us, std::int64_t to_us, const std::filesystem::path& out);

}  // namespace wscam::record
