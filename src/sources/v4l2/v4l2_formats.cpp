#include "sources/v4l2/v4l2_formats.hpp"

#include <linux/videodev2.h>

#include <algorithm>
#include <cerrno>
#include <cmath>

namespace wscam {
namespace {

// Raw formats in the order wscam prefers them when the device has no MJPEG.
constexpr std::uint32_t preferred_raw[] = {V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_UYVY,
                                           V4L2_PIX_FMT_YVU420, V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_GREY};

}  // namespace

bool supported_format(std::uint32_t f) {
    if (f == V4L2_PIX_FMT_MJPEG || f == V4L2_PIX_FMT_JPEG) return true;
    return std::find(std::begin(preferred_raw), std::end(preferred_raw), f) != std::end(preferred_raw);
}

raw_format raw_format_of(std::uint32_t f) {
    switch (f) {
    case V4L2_PIX_FMT_YUYV: return raw_format::yuyv;
    case V4L2_PIX_FMT_UYVY: return raw_format::uyvy;
    case V4L2_PIX_FMT_NV12: return raw_format::nv12;
    case V4L2_PIX_FMT_YUV420: return raw_format::yu12;
    case V4L2_PIX_FMT_YVU420: return raw_format::yv12;
    case V4L2_PIX_FMT_RGB24: return raw_format::rgb24;
    case V4L2_PIX_FMT_BGR24: return raw_format::bgr24;
    default: return raw_format::grey;
    }
}

std::uint32_t choose_format(const v4l2_device_info& info, const std::string& wanted) {
    std::uint32_t fourcc = wanted.empty() ? 0 : fourcc_from_name(wanted);
    auto has = [&](std::uint32_t f) {
        return std::any_of(info.formats.begin(), info.formats.end(), [&](const auto& x) { return x.fourcc == f; });
    };
    if (fourcc && !has(fourcc)) throw v4l2_error(info.path + " does not offer " + wanted, EINVAL);
    if (!fourcc && has(V4L2_PIX_FMT_MJPEG)) fourcc = V4L2_PIX_FMT_MJPEG;
    for (auto f : preferred_raw)
        if (!fourcc && has(f)) fourcc = f;
    if (!fourcc) throw v4l2_error(info.path + " offers no format wscam can stream", EINVAL);
    return fourcc;
}

frame_size choose_size(const v4l2_device_info& info, std::uint32_t fourcc, const std::optional<frame_size>& wanted) {
    frame_size size = wanted.value_or(frame_size{1280, 720});
    if (wanted) return size;
    for (const auto& f : info.formats) {
        if (f.fourcc != fourcc || f.sizes.empty()) continue;
        auto best = std::min_element(f.sizes.begin(), f.sizes.end(), [](const auto& a, const auto& b) {
            return std::abs(double(a.width) * a.height - 1280.0 * 720) < std::abs(double(b.width) * b.height - 1280.0 * 720);
        });
        size = {static_cast<std::uint16_t>(best->width), static_cast<std::uint16_t>(best->height)};
    }
    return size;
}

}  // namespace wscam
