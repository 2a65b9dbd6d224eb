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
    const unsigned long capacity = tjBufSize(width, height, subsampling);
    out.resize(offset + capacity);
    unsigned char* dst = out.data() + offset;
    unsigned long size = capacity;
    // NOREALLOC: compress straight into our buffer (no copy); tjBufSize is the worst case.
    if (tjCompress2(static_cast<tjhandle>(handle_), pixels, width, pitch, height, tj_pixel_format, &dst, &size,
                    subsampling, quality, TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0)
        throw std::runtime_error(std::string("JPEG encode failed: ") +
                                 tjGetErrorStr2(static_cast<tjhandle>(handle_)));
    out.resize(offset + size);
    return size;
}

std::size_t jpeg_encoder::encode_yuv_planes(const std::uint8_t* const planes[3], const int strides[3], int width,
                                            int height, int tj_subsampling, int quality,
                                            std::vector<std::uint8_t>& out, std::size_t offset) {
    const unsigned long capacity = tjBufSize(width, height, tj_subsampling);
    out.resize(offset + capacity);
    unsigned char* dst = out.data() + offset;
    unsigned long size = capacity;
    if (tjCompressFromYUVPlanes(static_cast<tjhandle>(handle_), const_cast<const unsigned char**>(planes), width,
                                strides, height, tj_subsampling, &dst, &size, quality,
                                TJFLAG_NOREALLOC | TJFLAG_FASTDCT) != 0)
        throw std::runtime_error(std::string("JPEG encode failed: ") +
                                 tjGetErrorStr2(static_cast<tjhandle>(handle_)));
    out.resize(offset + size);
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

bool has_jpeg_markers(std::span<const std::uint8_t> d) {
    return d.size() >= 4 && d[0] == 0xFF && d[1] == 0xD8 && d[d.size() - 2] == 0xFF && d[d.size() - 1] == 0xD9;
}

}  // namespace wscam
