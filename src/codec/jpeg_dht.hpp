#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace wscam {

/** True when the JPEG defines Huffman tables (a DHT segment before its first scan). */
bool has_huffman_tables(std::span<const std::uint8_t> jpeg);

/**
 * Many webcams send MJPEG frames without Huffman tables (the "AVI1" convention: decoders
 * are expected to use the standard ones), which browsers cannot decode. Returns the frame
 * with the standard tables of ITU-T T.81 Annex K.3 inserted before its first scan, or the
 * frame unchanged when it already has tables or is not a JPEG.
 */
std::vector<std::uint8_t> with_standard_huffman_tables(std::span<const std::uint8_t> jpeg);

}  // namespace wscam
