#include "codec/jpeg_to_yuv.hpp"

#include <turbojpeg.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <tuple>

namespace wscam {
namespace {

void size_planes(yuv420_image& out, int width, int height) {
    out.width = width & ~1;
    out.height = height & ~1;
    // Planes as TurboJPEG lays them out for the full (maybe odd) size; the encoder reads the even part.
    out.stride_y = tjPlaneWidth(0, width, TJSAMP_420);
    out.stride_uv = tjPlaneWidth(1, width, TJSAMP_420);
    out.y.resize(static_cast<std::size_t>(out.stride_y) * tjPlaneHeight(0, height, TJSAMP_420));
    out.u.resize(static_cast<std::size_t>(out.stride_uv) * tjPlaneHeight(1, height, TJSAMP_420));
    out.v.resize(out.u.size());
}

// Chroma plane `in` (cw x ch, stride cw) averaged down by (fx, fy) into `out` (stride out_stride).
void downsample(const std::vector<std::uint8_t>& in, int cw, int ch, int fx, int fy, std::vector<std::uint8_t>& out,
                int out_stride, int out_w, int out_h) {
    for (int y = 0; y < out_h; ++y) {
        const int y0 = std::min(y * fy, ch - 1), y1 = std::min(y * fy + fy - 1, ch - 1);
        const std::uint8_t* r0 = &in[static_cast<std::size_t>(y0) * cw];
        const std::uint8_t* r1 = &in[static_cast<std::size_t>(y1) * cw];
        std::uint8_t* o = &out[static_cast<std::size_t>(y) * out_stride];
        for (int x = 0; x < out_w; ++x) {
            const int x0 = std::min(x * fx, cw - 1), x1 = std::min(x * fx + fx - 1, cw - 1);
            o[x] = static_cast<std::uint8_t>((r0[x0] + r0[x1] + r1[x0] + r1[x1] + 2) / 4);
        }
    }
}

}  // namespace

std::optional<std::pair<int, int>> scaled_decode_size(int width, int height, int max_width, std::int64_t max_pixels) {
    for (int denom = 1; denom <= 8; denom *= 2) {
        const tjscalingfactor factor{1, denom};
        const int w = TJSCALED(width, factor), h = TJSCALED(height, factor);
        const bool fits_pixels = max_pixels <= 0 || std::int64_t{w} * h <= max_pixels;
        // The width is a wish (1/8 at most, however wide); the pixel count is a bound.
        if (fits_pixels && (max_width <= 0 || w <= max_width || denom == 8)) return std::pair{w, h};
    }
    return std::nullopt;
}

jpeg_to_yuv::jpeg_to_yuv() : handle_(tjInitDecompress()) {
    if (!handle_) throw std::runtime_error(std::string("TurboJPEG: ") + tjGetErrorStr2(nullptr));
}

jpeg_to_yuv::~jpeg_to_yuv() {
    tjDestroy(static_cast<tjhandle>(handle_));
    if (rgb_encoder_) tjDestroy(static_cast<tjhandle>(rgb_encoder_));
}

bool jpeg_to_yuv::decode(std::span<const std::uint8_t> jpeg, yuv420_image& out, std::string* error, int max_width,
                         std::int64_t max_pixels) {
    const auto h = static_cast<tjhandle>(handle_);
    // A warning (e.g. a scan cut short) still gave a picture: what the camera sent is shown.
    const auto failed = [&](int rc) { return rc != 0 && tjGetErrorCode(h) != TJERR_WARNING; };
    const auto fail = [&](const char* why) {
        if (error) *error = why;
        return false;
    };
    int width = 0, height = 0, sampling = 0, colorspace = 0;
    if (tjDecompressHeader3(h, jpeg.data(), static_cast<unsigned long>(jpeg.size()), &width, &height, &sampling,
                            &colorspace) != 0)
        return fail(tjGetErrorStr2(h));
    // Scaled while decoding (TurboJPEG's IDCT scaling: 1/2, 1/4, 1/8), so a smaller picture
    // also costs less to decode.
    const auto scaled = scaled_decode_size(width, height, max_width, max_pixels);
    if (!scaled) return fail("picture too large to decode even at 1/8 of its size");
    std::tie(width, height) = *scaled;
    if (width < 2 || height < 2) return fail("picture smaller than 2x2");
    size_planes(out, width, height);
    const int out_cw = tjPlaneWidth(1, width, TJSAMP_420), out_ch = tjPlaneHeight(1, height, TJSAMP_420);

    if (sampling == TJSAMP_420 || sampling == TJSAMP_GRAY) {
        unsigned char* planes[3] = {out.y.data(), out.u.data(), out.v.data()};
        int strides[3] = {out.stride_y, out.stride_uv, out.stride_uv};
        if (failed(tjDecompressToYUVPlanes(h, jpeg.data(), static_cast<unsigned long>(jpeg.size()), planes, width,
                                           strides, height, 0)))
            return fail(tjGetErrorStr2(h));
        if (sampling == TJSAMP_GRAY) {  // only Y was written
            std::memset(out.u.data(), 128, out.u.size());
            std::memset(out.v.data(), 128, out.v.size());
        }
        return true;
    }
    if (sampling == TJSAMP_422 || sampling == TJSAMP_440 || sampling == TJSAMP_444) {
        int strides[3];
        unsigned char* planes[3];
        for (int p = 0; p < 3; ++p) {
            strides[p] = tjPlaneWidth(p, width, sampling);
            scratch_[p].resize(static_cast<std::size_t>(strides[p]) * tjPlaneHeight(p, height, sampling));
            planes[p] = scratch_[p].data();
        }
        if (failed(tjDecompressToYUVPlanes(h, jpeg.data(), static_cast<unsigned long>(jpeg.size()), planes, width,
                                           strides, height, 0)))
            return fail(tjGetErrorStr2(h));
        for (int y = 0; y < height; ++y)
            std::memcpy(&out.y[static_cast<std::size_t>(y) * out.stride_y], &scratch_[0][static_cast<std::size_t>(y) * strides[0]],
                        static_cast<std::size_t>(width));
        // 4:2:2 has full-height chroma, 4:4:0 full-width, 4:4:4 both: average what 4:2:0 halves.
        const int cw = strides[1], ch = tjPlaneHeight(1, height, sampling);
        const int fx = sampling == TJSAMP_422 ? 1 : 2;
        const int fy = sampling == TJSAMP_440 ? 1 : 2;
        downsample(scratch_[1], cw, ch, fx, fy, out.u, out.stride_uv, out_cw, out_ch);
        downsample(scratch_[2], cw, ch, fx, fy, out.v, out.stride_uv, out_cw, out_ch);
        return true;
    }
    // 4:1:1 and anything else: through RGB, then TurboJPEG's own RGB -> I420.
    rgb_.resize(static_cast<std::size_t>(width) * height * 3);
    if (failed(tjDecompress2(h, jpeg.data(), static_cast<unsigned long>(jpeg.size()), rgb_.data(), width, 0, height,
                             TJPF_RGB, 0)))
        return fail(tjGetErrorStr2(h));
    if (!rgb_encoder_) rgb_encoder_ = tjInitCompress();
    if (!rgb_encoder_) return fail("TurboJPEG: cannot make a compressor");
    unsigned char* planes[3] = {out.y.data(), out.u.data(), out.v.data()};
    int strides[3] = {out.stride_y, out.stride_uv, out.stride_uv};
    if (tjEncodeYUVPlanes(static_cast<tjhandle>(rgb_encoder_), rgb_.data(), width, 0, height, TJPF_RGB, planes, strides,
                          TJSAMP_420, 0) != 0)
        return fail(tjGetErrorStr2(static_cast<tjhandle>(rgb_encoder_)));
    return true;
}

}  // namespace wscam
