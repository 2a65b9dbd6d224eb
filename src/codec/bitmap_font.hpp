#pragma once

#include <cstdint>
#include <string_view>

namespace wscam {

/** A 5x7 pixel font (digits, capitals, a few symbols) for text drawn into test frames. */
struct bitmap_font {
    static constexpr int glyph_width = 5;
    static constexpr int glyph_height = 7;

    /** The glyph's 7 rows, 5 bits each (bit 4 is the leftmost pixel); blank for unknown characters. */
    static const std::uint8_t* glyph(char c);

    /**
     * Draws `text` into a packed RGB image at (x, y), each font pixel a `scale`×`scale` block.
     * Clips at the image's edges.
     */
    static void draw(std::uint8_t* rgb, int width, int height, int x, int y, int scale, std::string_view text,
                     std::uint8_t r, std::uint8_t g, std::uint8_t b);

    /** Width in pixels of `text` at `scale` (one blank column between glyphs). */
    static int text_width(std::string_view text, int scale) {
        return static_cast<int>(text.size()) * (glyph_width + 1) * scale;
    }
};

}  // namespace wscam
