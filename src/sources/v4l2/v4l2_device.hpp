#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/controls.hpp"

namespace wscam {

/** A V4L2 failure, with errno kept so that a vanished device (ENODEV) can be told apart. */
struct v4l2_error : std::runtime_error {
    v4l2_error(const std::string& what, int err) : std::runtime_error(what), error(err) {}
    int error;
};

struct v4l2_size_info {
    std::uint32_t width = 0, height = 0;
    std::vector<double> fps;  // discrete rates the device offers at this size (may be empty)
};

struct v4l2_format_info {
    std::uint32_t fourcc = 0;
    std::string name;         // "YUYV", "MJPG", ...
    std::string description;  // the driver's words
    std::vector<v4l2_size_info> sizes;
};

/** A V4L2 control as the driver describes it, plus the id viewers use. (Not named v4l2_control:
 * the VIDIOC_*_CTRL macros take sizeof(struct v4l2_control) in the scope they expand in.) */
struct v4l2_control_desc {
    std::uint32_t cid = 0;
    control_info info;
};

struct v4l2_device_info {
    std::string path, card, driver, bus;
    std::vector<v4l2_format_info> formats;
    std::vector<v4l2_control_desc> controls;
};

/** An open V4L2 device (RAII file descriptor) with the ioctls wscam uses. */
class v4l2_device {
public:
    explicit v4l2_device(const std::string& path);  // throws v4l2_error
    ~v4l2_device();
    v4l2_device(const v4l2_device&) = delete;
    v4l2_device& operator=(const v4l2_device&) = delete;

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }

    /** ioctl with EINTR retried; throws v4l2_error naming `what` on failure. */
    void xioctl(unsigned long request, void* arg, const char* what) const;
    /** ioctl with EINTR retried; returns errno (0 on success). */
    int try_ioctl(unsigned long request, void* arg) const;

    v4l2_device_info describe() const;
    std::vector<v4l2_control_desc> controls() const;

private:
    std::string path_;
    int fd_ = -1;
};

/** Capture devices under /dev (video0, video1, ...), in order. */
std::vector<std::string> list_video_devices();

/** "YUYV" for V4L2_PIX_FMT_YUYV, etc. */
std::string fourcc_name(std::uint32_t fourcc);

/** The fourcc for a user's name of a format (mjpeg, yuyv, uyvy, nv12, yu12/i420, yv12, grey, rgb24, bgr24); 0 if unknown. */
std::uint32_t fourcc_from_name(std::string name);

/** "White Balance, Automatic" -> "white_balance_automatic". */
std::string control_id_from_name(const std::string& name);

}  // namespace wscam
