#include "sources/v4l2/v4l2_device.hpp"

#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/text.hpp"

namespace wscam {
namespace {

// A driver's fixed-size name field: not always NUL-terminated, not always UTF-8.
template <std::size_t N>
std::string device_text(const std::uint8_t (&field)[N]) {
    const auto* p = reinterpret_cast<const char*>(field);
    return sanitize_text(std::string_view(p, ::strnlen(p, N)));
}

}  // namespace

v4l2_device::v4l2_device(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) throw v4l2_error("cannot open " + path + ": " + std::strerror(errno), errno);
    v4l2_capability cap{};
    xioctl(VIDIOC_QUERYCAP, &cap, "VIDIOC_QUERYCAP");
    const auto caps = (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE)) throw v4l2_error(path + " is not a video capture device", ENODEV);
    if (!(caps & V4L2_CAP_STREAMING)) throw v4l2_error(path + " does not support streaming I/O", ENOTSUP);
}

v4l2_device::~v4l2_device() {
    if (fd_ >= 0) ::close(fd_);
}

int v4l2_device::try_ioctl(unsigned long request, void* arg) const {
    int r;
    do r = ::ioctl(fd_, request, arg);
    while (r < 0 && errno == EINTR);
    return r < 0 ? errno : 0;
}

void v4l2_device::xioctl(unsigned long request, void* arg, const char* what) const {
    if (const int err = try_ioctl(request, arg))
        throw v4l2_error(path_ + ": " + what + " failed: " + std::strerror(err), err);
}

std::vector<v4l2_control_desc> v4l2_device::controls() const {
    std::vector<v4l2_control_desc> out;
    v4l2_queryctrl q{};
    q.id = V4L2_CTRL_FLAG_NEXT_CTRL;
    while (try_ioctl(VIDIOC_QUERYCTRL, &q) == 0) {
        const auto id = q.id;
        q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
        if (q.flags & (V4L2_CTRL_FLAG_DISABLED | V4L2_CTRL_FLAG_READ_ONLY)) continue;
        v4l2_control_desc c;
        c.cid = id;
        c.info.name = device_text(q.name);
        c.info.id = control_id_from_name(c.info.name);
        if (q.type == V4L2_CTRL_TYPE_INTEGER) {
            c.info.type = "int";
            c.info.min = q.minimum;
            c.info.max = q.maximum;
            c.info.step = std::max(1, q.step);
        } else if (q.type == V4L2_CTRL_TYPE_BOOLEAN) {
            c.info.type = "bool";
            c.info.max = 1;
        } else if (q.type == V4L2_CTRL_TYPE_MENU || q.type == V4L2_CTRL_TYPE_INTEGER_MENU) {
            c.info.type = "menu";
            for (int i = q.minimum; i <= q.maximum; ++i) {
                v4l2_querymenu m{};
                m.id = id;
                m.index = static_cast<std::uint32_t>(i);
                if (try_ioctl(VIDIOC_QUERYMENU, &m) != 0) continue;
                c.info.options.push_back({static_cast<double>(i), q.type == V4L2_CTRL_TYPE_MENU ? device_text(m.name)
                                                                                                : std::to_string(m.value)});
            }
        } else {
            continue;  // buttons, strings, compound controls: not for a slider
        }
        ::v4l2_control value{};
        value.id = id;
        c.info.value = try_ioctl(VIDIOC_G_CTRL, &value) == 0 ? value.value : q.default_value;
        out.push_back(std::move(c));
    }
    return out;
}

v4l2_device_info v4l2_device::describe() const {
    v4l2_device_info info;
    info.path = path_;
    v4l2_capability cap{};
    xioctl(VIDIOC_QUERYCAP, &cap, "VIDIOC_QUERYCAP");
    info.card = device_text(cap.card);
    info.driver = device_text(cap.driver);
    info.bus = device_text(cap.bus_info);
    v4l2_fmtdesc fd{};
    fd.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    for (fd.index = 0; try_ioctl(VIDIOC_ENUM_FMT, &fd) == 0; ++fd.index) {
        v4l2_format_info f;
        f.fourcc = fd.pixelformat;
        f.name = fourcc_name(fd.pixelformat);
        f.description = device_text(fd.description);
        v4l2_frmsizeenum fs{};
        fs.pixel_format = fd.pixelformat;
        for (fs.index = 0; try_ioctl(VIDIOC_ENUM_FRAMESIZES, &fs) == 0; ++fs.index) {
            v4l2_size_info s;
            if (fs.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
                s.width = fs.discrete.width;
                s.height = fs.discrete.height;
            } else {  // stepwise / continuous: report the largest
                s.width = fs.stepwise.max_width;
                s.height = fs.stepwise.max_height;
            }
            v4l2_frmivalenum fi{};
            fi.pixel_format = fd.pixelformat;
            fi.width = s.width;
            fi.height = s.height;
            for (fi.index = 0; try_ioctl(VIDIOC_ENUM_FRAMEINTERVALS, &fi) == 0; ++fi.index) {
                if (fi.type == V4L2_FRMIVAL_TYPE_DISCRETE && fi.discrete.numerator)
                    s.fps.push_back(static_cast<double>(fi.discrete.denominator) / fi.discrete.numerator);
                else if (fi.type != V4L2_FRMIVAL_TYPE_DISCRETE && fi.stepwise.min.numerator)
                    s.fps.push_back(static_cast<double>(fi.stepwise.min.denominator) / fi.stepwise.min.numerator);
                if (fi.type != V4L2_FRMIVAL_TYPE_DISCRETE) break;
            }
            f.sizes.push_back(std::move(s));
            if (fs.type != V4L2_FRMSIZE_TYPE_DISCRETE) break;
        }
        info.formats.push_back(std::move(f));
    }
    info.controls = controls();
    return info;
}

std::vector<std::string> list_video_devices() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/dev", ec)) {
        const auto name = e.path().filename().string();
        if (name.rfind("video", 0) == 0 && name.size() > 5 &&
            std::all_of(name.begin() + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return out;
}

std::string fourcc_name(std::uint32_t f) {
    std::string s;
    for (int i = 0; i < 4; ++i) {
        const char c = static_cast<char>((f >> (8 * i)) & 0xFF);
        if (c != ' ' && c != '\0') s.push_back(c);
    }
    return s;
}

std::uint32_t fourcc_from_name(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "mjpeg" || name == "mjpg") return V4L2_PIX_FMT_MJPEG;
    if (name == "jpeg") return V4L2_PIX_FMT_JPEG;
    if (name == "yuyv" || name == "yuy2") return V4L2_PIX_FMT_YUYV;
    if (name == "uyvy") return V4L2_PIX_FMT_UYVY;
    if (name == "nv12") return V4L2_PIX_FMT_NV12;
    if (name == "yu12" || name == "i420") return V4L2_PIX_FMT_YUV420;
    if (name == "yv12") return V4L2_PIX_FMT_YVU420;
    if (name == "grey" || name == "gray") return V4L2_PIX_FMT_GREY;
    if (name == "rgb24" || name == "rgb3") return V4L2_PIX_FMT_RGB24;
    if (name == "bgr24" || name == "bgr3") return V4L2_PIX_FMT_BGR24;
    return 0;
}

std::string control_id_from_name(const std::string& name) {
    std::string id;
    for (char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)))
            id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        else if (!id.empty() && id.back() != '_')
            id.push_back('_');
    }
    while (!id.empty() && id.back() == '_') id.pop_back();
    return id;
}

}  // namespace wscam
