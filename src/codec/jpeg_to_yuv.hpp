#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace wscam {

/**
 * A picture in I420 (planar Y, then U and V at half width and half height), what an H.264
 * encoder takes. Width and height are even: an odd last column or row is left out.
 */
struct yuv420_image {
    int width = 0;
    int height = 0;
    int stride_y = 0;
    int stride_uv = 0;
    std::vector<std::uint8_t> y, u, v;
};

/**
 * The size a `width`x`height` JPEG is decoded at to fit `max_width` and `max_pixels` (0: no
 * limit): its own, or 1/2, 1/4 or 1/8 of it (TurboJPEG's scaled IDCT, rounding up), the largest
 * that fits; nullopt when even 1/8 is over `max_pixels`. Before the odd column and row are cut.
 */
std::optional<std::pair<int, int>> scaled_decode_size(int width, int height, int max_width, std::int64_t max_pixels);

/**
 * Decodes JPEGs straight to I420 planes with TurboJPEG (no RGB): a 4:2:0 JPEG is decoded into
 * the planes as it is; 4:2:2, 4:4:0 and 4:4:4 chroma is averaged down, greyscale gets neutral
 * chroma, and other layouts (4:1:1) go through RGB. One per thread; buffers are reused.
 */
class jpeg_to_yuv {
public:
    jpeg_to_yuv();
    ~jpeg_to_yuv();
    jpeg_to_yuv(const jpeg_to_yuv&) = delete;
    jpeg_to_yuv& operator=(const jpeg_to_yuv&) = delete;

    /**
     * Decodes `jpeg` into `out`; false (and `error`) for a JPEG TurboJPEG cannot read or a
     * picture under 2x2. With `max_width` or `max_pixels`, a larger picture is decoded at 1/2,
     * 1/4 or 1/8 of its size, the largest that fits (scaled_decode_size); one that does not fit
     * at 1/8 is refused.
     */
    bool decode(std::span<const std::uint8_t> jpeg, yuv420_image& out, std::string* error = nullptr, int max_width = 0,
                std::int64_t max_pixels = 0);

private:
    void* handle_;
    void* rgb_encoder_ = nullptr;              // the 4:1:1 fallback's RGB -> I420, made on first use
    std::vector<std::uint8_t> scratch_[3];     // planes at the JPEG's own subsampling
    std::vector<std::uint8_t> rgb_;
};

}  // namespace wscam
