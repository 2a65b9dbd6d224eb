#include "codec/jpeg_codec.hpp"

#include <turbojpeg.h>

#include <stdexcept>

namespace wscam {

jpeg_encoder::jpeg_encoder() : handle_(tjInitCompress()) {
    if (!handle_) throw std::runtime_error(std::string("TurboJPEG: ") + tjGetErrorStr2(nullptr));
}

jpeg_encoder::~jpeg_encoder() { tjDestroy(static_cast<tjhandle>(handle_)); }

std::size_t jpeg_encoder::encode_rgb(const std::uint8_t* rgb, int width, int height, int quality,
                                     std::vector<std::uint8_t>& out, std::size_t offset) {
    return encode_packed(rgb, width, 0, height, TJPF_RGB, quality, out, offset);
}

std::size_t jpeg_encoder::encode_packed(const std::uint8_t* pixels, int width, int pitch, int height,
                                        int tj_pixel_format, int quality, std::vector<std::uint8_t>& out,
                                        std::size_t offset) {
    const int subsampling = tj_pixel_format == TJPF_GRAY ? TJSAMP_GRAY : TJSAMP_420;
    unsigned char* dst = scratch(tjBufSize(width, height, subsampling));
    unsigned long size = scratch_.size();
    if (tjCompress2(static_cast<tjhandle>(handle_), pixels, width, pitch, height, tj_pixel_format, &dst, &size,
                    subsampling, quality, TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0)
        throw std::runtime_error(std::string("JPEG encode failed: ") +
                                 tjGetErrorStr2(static_cast<tjhandle>(handle_)));
    return copy_out(size, out, offset);
}

std::size_t jpeg_encoder::encode_yuv_planes(const std::uint8_t* const planes[3], const int strides[3], int width,
                                            int height, int tj_subsampling, int quality,
                                            std::vector<std::uint8_t>& out, std::size_t offset) {
    unsigned char* dst = scratch(tjBufSize(width, height, tj_subsampling));
    unsigned long size = scratch_.size();
    if (tjCompressFromYUVPlanes(static_cast<tjhandle>(handle_), const_cast<const unsigned char**>(planes), width,
                                strides, height, tj_subsampling, &dst, &size, quality,
                                TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0)
        throw std::runtime_error(std::string("JPEG encode failed: ") +
                                 tjGetErrorStr2(static_cast<tjhandle>(handle_)));
    return copy_out(size, out, offset);
}

unsigned char* jpeg_encoder::scratch(unsigned long worst_case) {
    // Only grows: the same size every frame costs nothing after the first.
    if (scratch_.size() < worst_case) scratch_.resize(worst_case);
    return scratch_.data();
}

std::size_t jpeg_encoder::copy_out(std::size_t size, std::vector<std::uint8_t>& out, std::size_t offset) {
    // The frame keeps exactly its JPEG: a viewer that stops reading pins one frame, and that
    // must cost the JPEG's size, not tjBufSize's worst case (w*h*3, ~0.9 MB at 640x480).
    std::vector<std::uint8_t> exact;
    exact.reserve(offset + size);
    exact.insert(exact.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(std::min(offset, out.size())));
    exact.resize(offset);
    exact.insert(exact.end(), scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(size));
    out = std::move(exact);
    return size;
}

jpeg_decoder::jpeg_decoder() : handle_(tjInitDecompress()) {
    if (!handle_) throw std::runtime_error(std::string("TurboJPEG: ") + tjGetErrorStr2(nullptr));
}

jpeg_decoder::~jpeg_decoder() { tjDestroy(static_cast<tjhandle>(handle_)); }

std::optional<jpeg_header_info> jpeg_decoder::read_header(std::span<const std::uint8_t> jpeg, std::string* error) {
    jpeg_header_info info;
    int colorspace = 0;
    if (tjDecompressHeader3(static_cast<tjhandle>(handle_), jpeg.data(), static_cast<unsigned long>(jpeg.size()),
                            &info.width, &info.height, &info.subsampling, &colorspace) != 0) {
        if (error) *error = tjGetErrorStr2(static_cast<tjhandle>(handle_));
        return std::nullopt;
    }
    return info;
}

bool jpeg_decoder::decode_rgb(std::span<const std::uint8_t> jpeg, std::vector<std::uint8_t>& rgb, int& width,
                              int& height, std::string* error) {
    auto info = read_header(jpeg, error);
    if (!info) return false;
    width = info->width;
    height = info->height;
    rgb.resize(static_cast<std::size_t>(width) * height * 3);
    if (tjDecompress2(static_cast<tjhandle>(handle_), jpeg.data(), static_cast<unsigned long>(jpeg.size()),
                      rgb.data(), width, 0, height, TJPF_RGB, 0) != 0) {
        // Warnings (e.g. a truncated scan) still produce pixels but mean the frame is damaged.
        if (error) *error = tjGetErrorStr2(static_cast<tjhandle>(handle_));
        return false;
    }
    return true;
}

bool jpeg_decoder::decode_grey_scaled(std::span<const std::uint8_t> jpeg, int max_width, std::vector<std::uint8_t>& grey,
                                      int& width, int& height, jpeg_header_info& full, std::string* error) {
    auto info = read_header(jpeg, error);
    if (!info) return false;
    full = *info;
    for (int denom = 1; denom <= 8; denom *= 2) {
        const tjscalingfactor factor{1, denom};
        width = TJSCALED(info->width, factor);
        height = TJSCALED(info->height, factor);
        if (width <= max_width) break;
    }
    grey.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
    if (tjDecompress2(static_cast<tjhandle>(handle_), jpeg.data(), static_cast<unsigned long>(jpeg.size()), grey.data(),
                      width, 0, height, TJPF_GRAY, TJFLAG_FASTDCT) != 0) {
        if (error) *error = tjGetErrorStr2(static_cast<tjhandle>(handle_));
        return false;
    }
    return true;
}

int jpeg_scan_count(std::span<const std::uint8_t> d, int stop_after) {
    int scans = 0;
    std::size_t i = 2;  // after SOI
    while (i + 1 < d.size() && scans <= stop_after) {
        if (d[i] != 0xFF) return scans;  // not a marker where one must be: TurboJPEG says the rest
        const std::uint8_t m = d[i + 1];
        if (m == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        i += 2;
        if (m == 0xD9) break;                                   // EOI
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) continue;    // no length
        if (i + 1 >= d.size()) break;
        const std::size_t length = (std::size_t{d[i]} << 8) | d[i + 1];
        if (length < 2) return scans;
        i += length;
        if (m != 0xDA) continue;
        ++scans;
        // Entropy-coded data: up to a marker that is not a stuffed zero or a restart.
        while (i + 1 < d.size() && !(d[i] == 0xFF && d[i + 1] != 0x00 && !(d[i + 1] >= 0xD0 && d[i + 1] <= 0xD7))) ++i;
    }
    return scans;
}

bool has_jpeg_markers(std::span<const std::uint8_t> d) {
    return d.size() >= 4 && d[0] == 0xFF && d[1] == 0xD8 && d[d.size() - 2] == 0xFF && d[d.size() - 1] == 0xD9;
}

}  // namespace wscam
