#include "codec/raw_encode.hpp"

#include <turbojpeg.h>

namespace wscam {

std::size_t encode_raw_frame(jpeg_encoder& encoder, raw_format format, const std::uint8_t* data, int width, int height,
                             int pitch, int quality, std::vector<std::uint8_t>& scratch, std::vector<std::uint8_t>& out,
                             std::size_t offset) {
    const int cw = (width + 1) / 2, ch = (height + 1) / 2;
    switch (format) {
    case raw_format::yuyv:
    case raw_format::uyvy: {
        const int stride = pitch ? pitch : width * 2;
        scratch.resize(static_cast<std::size_t>(width) * height + 2 * static_cast<std::size_t>(cw) * height);
        std::uint8_t* y = scratch.data();
        std::uint8_t* u = y + static_cast<std::size_t>(width) * height;
        std::uint8_t* v = u + static_cast<std::size_t>(cw) * height;
        const int yo = format == raw_format::yuyv ? 0 : 1, uo = format == raw_format::yuyv ? 1 : 0;
        for (int row = 0; row < height; ++row) {
            const std::uint8_t* s = data + static_cast<std::size_t>(row) * stride;
            std::uint8_t* yr = y + static_cast<std::size_t>(row) * width;
            std::uint8_t* ur = u + static_cast<std::size_t>(row) * cw;
            std::uint8_t* vr = v + static_cast<std::size_t>(row) * cw;
            for (int x = 0; x < width / 2; ++x, s += 4) {
                yr[2 * x] = s[yo];
                yr[2 * x + 1] = s[yo + 2];
                ur[x] = s[uo];
                vr[x] = s[uo + 2];
            }
        }
        const std::uint8_t* planes[3] = {y, u, v};
        const int strides[3] = {width, cw, cw};
        return encoder.encode_yuv_planes(planes, strides, width, height, TJSAMP_422, quality, out, offset);
    }
    case raw_format::yu12:
    case raw_format::yv12: {
        const int ys = pitch ? pitch : width;
        const std::uint8_t* c1 = data + static_cast<std::size_t>(ys) * height;
        const std::uint8_t* c2 = c1 + static_cast<std::size_t>(ys / 2) * ch;
        const bool swap = format == raw_format::yv12;
        const std::uint8_t* planes[3] = {data, swap ? c2 : c1, swap ? c1 : c2};
        const int strides[3] = {ys, ys / 2, ys / 2};
        return encoder.encode_yuv_planes(planes, strides, width, height, TJSAMP_420, quality, out, offset);
    }
    case raw_format::nv12: {
        const int ys = pitch ? pitch : width;
        scratch.resize(2 * static_cast<std::size_t>(cw) * ch);
        std::uint8_t* u = scratch.data();
        std::uint8_t* v = u + static_cast<std::size_t>(cw) * ch;
        const std::uint8_t* uv = data + static_cast<std::size_t>(ys) * height;
        for (int row = 0; row < ch; ++row)
            for (int x = 0; x < cw; ++x) {
                u[row * cw + x] = uv[static_cast<std::size_t>(row) * ys + 2 * x];
                v[row * cw + x] = uv[static_cast<std::size_t>(row) * ys + 2 * x + 1];
            }
        const std::uint8_t* planes[3] = {data, u, v};
        const int strides[3] = {ys, cw, cw};
        return encoder.encode_yuv_planes(planes, strides, width, height, TJSAMP_420, quality, out, offset);
    }
    case raw_format::grey:
        return encoder.encode_packed(data, width, pitch, height, TJPF_GRAY, quality, out, offset);
    case raw_format::rgb24:
        return encoder.encode_packed(data, width, pitch, height, TJPF_RGB, quality, out, offset);
    case raw_format::bgr24:
        return encoder.encode_packed(data, width, pitch, height, TJPF_BGR, quality, out, offset);
    }
    return 0;
}

}  // namespace wscam
