#pragma once

// Small real JPEGs for parser tests, made with the project's own encoder.
#include <vector>

#include "codec/jpeg_codec.hpp"
#include "codec/test_card.hpp"

namespace wscam::test {

inline std::vector<std::uint8_t> make_jpeg(int width = 64, int height = 48, std::uint64_t n = 1, int quality = 70) {
    test_card pattern(width, height);
    pattern.render(n, 0);
    jpeg_encoder encoder;
    std::vector<std::uint8_t> out;
    encoder.encode_rgb(pattern.rgb(), width, height, quality, out, 0);
    return out;
}

/** The same JPEG with an APP1 (EXIF-like) segment holding a whole thumbnail JPEG, FFD9 included. */
inline std::vector<std::uint8_t> with_embedded_thumbnail(const std::vector<std::uint8_t>& jpeg) {
    const auto thumb = make_jpeg(16, 16, 7, 30);
    std::vector<std::uint8_t> out{0xFF, 0xD8, 0xFF, 0xE1};
    const std::size_t len = thumb.size() + 2 + 6;
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.push_back(static_cast<std::uint8_t>(len & 0xFF));
    for (char c : {'E', 'x', 'i', 'f', '\0', '\0'}) out.push_back(static_cast<std::uint8_t>(c));
    out.insert(out.end(), thumb.begin(), thumb.end());
    out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
    return out;
}

}  // namespace wscam::test
