#include "sources/v4l2/v4l2_capture.hpp"

#include <linux/videodev2.h>
#include <poll.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "sources/v4l2/v4l2_formats.hpp"

namespace wscam {

v4l2_capture::v4l2_capture(const v4l2_options& options, v4l2_controls& controls, const std::string& stream)
    : path_(options.path), stall_timeout_(options.intake.stall_timeout), device_(options.path), info_(device_.describe()) {
    set_format(options);
    set_rate(options.fps);
    controls.attach(device_, info_.controls);
    controls_.controls = &controls;
    controls.apply_initial(options.initial_controls, stream);
    map_buffers(options.buffers);
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    device_.xioctl(VIDIOC_STREAMON, &type, "VIDIOC_STREAMON");
    last_frame_ = std::chrono::steady_clock::now();
}

v4l2_capture::~v4l2_capture() {
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    device_.try_ioctl(VIDIOC_STREAMOFF, &type);
}

v4l2_capture::mapped_buffers::~mapped_buffers() {
    for (auto& b : list) ::munmap(b.data, b.length);
}

/** The format asked for, else MJPEG, else the best raw one; the size asked for, else the offered one nearest 1280x720. */
void v4l2_capture::set_format(const v4l2_options& options) {
    const auto fourcc = choose_format(info_, options.format);
    const auto want = choose_size(info_, fourcc, options.size);
    v4l2_format fmt{};
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = want.width;
    fmt.fmt.pix.height = want.height;
    fmt.fmt.pix.pixelformat = fourcc;
    fmt.fmt.pix.field = V4L2_FIELD_ANY;
    device_.xioctl(VIDIOC_S_FMT, &fmt, "VIDIOC_S_FMT");
    width_ = static_cast<int>(fmt.fmt.pix.width);
    height_ = static_cast<int>(fmt.fmt.pix.height);
    pitch_ = static_cast<int>(fmt.fmt.pix.bytesperline);
    fourcc_ = fmt.fmt.pix.pixelformat;  // the driver may have picked another
}

/** Asks for `wanted` frames a second, then reads what the device really does (drivers clamp). */
void v4l2_capture::set_rate(double wanted) {
    v4l2_streamparm parm{};
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    parm.parm.capture.timeperframe = {1000, static_cast<std::uint32_t>(std::lround(wanted * 1000))};
    device_.try_ioctl(VIDIOC_S_PARM, &parm);
    fps_ = wanted;
    if (device_.try_ioctl(VIDIOC_G_PARM, &parm) == 0 && parm.parm.capture.timeperframe.numerator)
        fps_ = double(parm.parm.capture.timeperframe.denominator) / parm.parm.capture.timeperframe.numerator;
}

void v4l2_capture::map_buffers(int count) {
    v4l2_requestbuffers req{};
    req.count = static_cast<std::uint32_t>(count);
    req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    req.memory = V4L2_MEMORY_MMAP;
    device_.xioctl(VIDIOC_REQBUFS, &req, "VIDIOC_REQBUFS");
    if (req.count < 2) throw v4l2_error(path_ + ": not enough capture buffers", ENOMEM);
    for (std::uint32_t i = 0; i < req.count; ++i) {
        v4l2_buffer b{};
        b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        b.memory = V4L2_MEMORY_MMAP;
        b.index = i;
        device_.xioctl(VIDIOC_QUERYBUF, &b, "VIDIOC_QUERYBUF");
        void* data = ::mmap(nullptr, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, device_.fd(), b.m.offset);
        if (data == MAP_FAILED) throw v4l2_error(path_ + ": mmap failed", errno);
        buffers_.list.push_back({data, b.length});
        device_.xioctl(VIDIOC_QBUF, &b, "VIDIOC_QBUF");
    }
}

bool v4l2_capture::next_frame(const std::function<void(std::span<const std::uint8_t>)>& use) {
    pollfd p{device_.fd(), POLLIN, 0};
    const int timeout_ms = static_cast<int>(stall_timeout_.count());
    const int r = ::poll(&p, 1, std::min(timeout_ms, 250));
    if (r < 0 && errno != EINTR) throw v4l2_error(path_ + ": poll failed", errno);
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) throw v4l2_error(path_ + " disconnected", ENODEV);
    if (r == 0) {
        if (std::chrono::steady_clock::now() - last_frame_ > stall_timeout_)
            throw v4l2_error("no frame from " + path_ + " for " + std::to_string(timeout_ms) + " ms", ETIMEDOUT);
        return false;
    }
    v4l2_buffer b{};
    b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b.memory = V4L2_MEMORY_MMAP;
    if (const int err = device_.try_ioctl(VIDIOC_DQBUF, &b)) {
        if (err == EAGAIN) return false;
        throw v4l2_error(path_ + ": " + (err == ENODEV ? "disconnected" : std::string("VIDIOC_DQBUF failed: ") + std::strerror(err)), err);
    }
    const auto& mapped = buffers_.list[b.index];
    const std::size_t used = b.bytesused ? b.bytesused : mapped.length;
    use({static_cast<const std::uint8_t*>(mapped.data), used});
    // Give the buffer back to the driver at once.
    device_.try_ioctl(VIDIOC_QBUF, &b);
    last_frame_ = std::chrono::steady_clock::now();
    return true;
}

}  // namespace wscam
