#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace wscam::record {

/**
 * Reads `out.size()` bytes at `offset` of a file; false when they are not all there.
 * (A function, so the walk below is pure and fuzzed on bytes in memory.)
 */
using byte_reader = std::function<bool(std::uint64_t offset, std::span<std::uint8_t> out)>;

/** What walking a segment's top-level boxes found. */
struct segment_shape {
    bool finished = false;        // it ends with the index the muxer writes on close (mfra/mfro)
    std::uint64_t playable = 0;   // bytes up to the end of its last whole fragment (or its moov); 0: nothing to keep
};

/**
 * Walks the top-level boxes (ftyp, moov, then moof+mdat pairs, then mfra) of a fragmented MP4
 * that is `size` bytes long, reading only box headers. A segment cut by a crash (kill -9, power
 * loss) ends in a partial box, or a moof without its mdat: `playable` is where its last whole
 * fragment ends. Never trusts a box size: one that runs past the file, or is smaller than its
 * header, ends the walk.
 */
segment_shape inspect_segment(const byte_reader& read, std::uint64_t size);

/**
 * A segment left unfinished by a crash is cut back to its last whole fragment (what every
 * player reads; ffprobe and ffmpeg read it like a finished one), or deleted when nothing in it
 * plays. Returns what was done, for the log ("kept 812345 of 900000 bytes"), or nullopt when
 * there was nothing to do (finished, or already cut back). Throws std::filesystem::filesystem_error.
 */
std::optional<std::string> repair_segment(const std::filesystem::path& file);

}  // namespace wscam::record
