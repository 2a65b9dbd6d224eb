#include "sources/v4l2/v4l2_source.hpp"

#include <linux/videodev2.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "codec/jpeg_codec.hpp"
#include "codec/jpeg_dht.hpp"
#include "codec/raw_encode.hpp"
#include "core/backoff.hpp"
#include "core/interruptible_sleep.hpp"
#include "sources/control_worker.hpp"
#include "sources/frame_intake.hpp"
#include "sources/source_thread.hpp"
#include "sources/v4l2/v4l2_device.hpp"

namespace wscam {
namespace {

// Raw formats in the order wscam prefers them when the device has no MJPEG.
constexpr std::uint32_t preferred_raw[] = {V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_UYVY,
                                           V4L2_PIX_FMT_YVU420, V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_GREY};

bool supported(std::uint32_t f) {
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

struct mapped_buffer {
    void* data = MAP_FAILED;
    std::size_t length = 0;
};

}  // namespace

/**
 * What the capture thread and the control calls share. The list viewers see is a cache under
 * its own short lock; ioctls run on the control worker under the device lock, so a slow
 * UVC control never holds up an I/O thread (nor a new viewer's hello, which reads the list).
 */
struct v4l2_source::state : controllable, std::enable_shared_from_this<v4l2_source::state> {
    mutable std::mutex cache_mutex;
    std::vector<v4l2_control_desc> controls_cache;
    std::mutex device_mutex;
    v4l2_device* device = nullptr;  // set while the device is open
    control_worker worker;          // last: its thread stops before the rest goes away

    std::vector<control_info> controls() const override {
        std::lock_guard lock(cache_mutex);
        std::vector<control_info> out;
        for (const auto& c : controls_cache) out.push_back(c.info);
        return out;
    }

    void set_control(const std::string& id, double value, control_callback done) override {
        // The job holds the state weakly: the last owner must never be the worker's own thread.
        auto job = [weak = weak_from_this(), id, value, done] {
            if (auto self = weak.lock())
                done(self->apply(id, value));
            else
                done(control_result::failed("the camera has gone"));
        };
        if (!worker.submit(std::move(job)))
            done(control_result::failed(id + ": the camera is busy with earlier changes (or stopped), try again"));
    }

    /** Sets a control on the device now (control worker or capture thread). */
    control_result apply(const std::string& id, double value) {
        std::uint32_t cid = 0;
        {
            std::lock_guard lock(cache_mutex);
            for (const auto& c : controls_cache)
                if (c.info.id == id) cid = c.cid;
        }
        if (!cid) return control_result::failed("no control '" + id + "' on this camera");
        ::v4l2_control ctrl{cid, static_cast<std::int32_t>(std::lround(value))};
        {
            std::lock_guard lock(device_mutex);
            if (!device) return control_result::failed("the camera is not open right now");
            if (const int err = device->try_ioctl(VIDIOC_S_CTRL, &ctrl))
                return control_result::failed(id + ": the camera refused it (" + std::strerror(err) + ")");
            device->try_ioctl(VIDIOC_G_CTRL, &ctrl);  // what the driver actually set
        }
        std::lock_guard lock(cache_mutex);
        for (auto& c : controls_cache)
            if (c.cid == cid) c.info.value = ctrl.value;
        return control_result::applied(ctrl.value);
    }
};

v4l2_options v4l2_options_from(const source_uri& uri, v4l2_options o) {
    if (!uri.target.empty()) o.path = uri.target;
    for (const auto& [key, value] : uri.params) {
        if (key == "size") {
            std::string error;
            auto s = parse_frame_size(value, &error);
            if (!s) throw std::invalid_argument("v4l2: " + error);
            o.size = *s;
        } else if (key == "fps") {
            o.fps = uri.number(key, o.fps, 0.1, 1000);
        } else if (key == "format") {
            if (!fourcc_from_name(value) || !supported(fourcc_from_name(value)))
                throw std::invalid_argument("v4l2: format=" + value +
                                            " is not one of mjpeg, yuyv, uyvy, nv12, yu12, yv12, grey, rgb24, bgr24");
            o.format = value;
        } else if (key == "buffers") {
            o.buffers = static_cast<int>(uri.number(key, o.buffers, 2, 32));
        } else if (key == "quality") {
            o.quality = static_cast<int>(uri.number(key, o.quality, 1, 100));
        } else if (key.rfind("ctrl.", 0) == 0 && key.size() > 5) {
            o.initial_controls[key.substr(5)] = uri.number(key, 0, -1e9, 1e9);
        } else {
            throw std::invalid_argument("v4l2: unknown parameter '" + key +
                                        "' (known: size, fps, format, buffers, quality, ctrl.NAME)");
        }
    }
    return o;
}

v4l2_source::v4l2_source(std::shared_ptr<frame_hub> hub, v4l2_options options)
    : hub_(std::move(hub)), options_(std::move(options)), state_(std::make_shared<state>()) {
    hub_->set_controllable(state_);
}

v4l2_source::~v4l2_source() { stop(); }

void v4l2_source::start() {
    hub_->set_info({0, 0, options_.fps, describe()});
    hub_->set_status(stream_status::down("camera not opened yet"));
    spdlog::info("stream={} source starting: {}{}", hub_->name(), describe(),
                 options_.intake.always_on ? "" : " (opens the camera when someone watches)");
    thread_ = std::jthread([this](std::stop_token st) { run_restarting(*hub_, st, [&] { run(st); }); });
}

void v4l2_source::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
    state_->worker.stop();  // no control call runs once the source has stopped
}

std::string v4l2_source::describe() const { return "v4l2:" + options_.path; }

void v4l2_source::run(std::stop_token stop) {
    const auto& name = hub_->name();
    backoff retry(options_.intake.reconnect_initial, options_.intake.reconnect_max);
    frame_intake intake(hub_, options_.intake.max_frame_bytes, options_.intake.max_frame_pixels);
    jpeg_encoder encoder;
    std::vector<std::uint8_t> planes_buf;

    while (!stop.stop_requested()) {
        if (!options_.intake.always_on && hub_->viewer_count() == 0) {
            if (!hub_->wait_for_viewers(stop)) break;
        }
        std::vector<mapped_buffer> buffers;
        std::unique_ptr<v4l2_device> dev;
        bool streaming = false;
        auto cleanup = [&] {
            {
                std::lock_guard lock(state_->device_mutex);
                state_->device = nullptr;
            }
            if (dev && streaming) {
                int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
                dev->try_ioctl(VIDIOC_STREAMOFF, &type);
            }
            for (auto& b : buffers)
                if (b.data != MAP_FAILED) ::munmap(b.data, b.length);
            buffers.clear();
            dev.reset();
        };
        try {
            dev = std::make_unique<v4l2_device>(options_.path);
            const auto info = dev->describe();

            // Choose the format: asked for, else MJPEG, else the best raw one.
            std::uint32_t fourcc = options_.format.empty() ? 0 : fourcc_from_name(options_.format);
            auto has = [&](std::uint32_t f) {
                return std::any_of(info.formats.begin(), info.formats.end(), [&](const auto& x) { return x.fourcc == f; });
            };
            if (fourcc && !has(fourcc)) throw v4l2_error(options_.path + " does not offer " + options_.format, EINVAL);
            if (!fourcc && has(V4L2_PIX_FMT_MJPEG)) fourcc = V4L2_PIX_FMT_MJPEG;
            for (auto f : preferred_raw)
                if (!fourcc && has(f)) fourcc = f;
            if (!fourcc) throw v4l2_error(options_.path + " offers no format wscam can stream", EINVAL);

            // Size: asked for, else the offered size nearest 1280x720.
            frame_size want = options_.size.value_or(frame_size{1280, 720});
            if (!options_.size) {
                for (const auto& f : info.formats) {
                    if (f.fourcc != fourcc || f.sizes.empty()) continue;
                    auto best = std::min_element(f.sizes.begin(), f.sizes.end(), [](const auto& a, const auto& b) {
                        return std::abs(double(a.width) * a.height - 1280.0 * 720) < std::abs(double(b.width) * b.height - 1280.0 * 720);
                    });
                    want = {static_cast<std::uint16_t>(best->width), static_cast<std::uint16_t>(best->height)};
                }
            }
            v4l2_format fmt{};
            fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            fmt.fmt.pix.width = want.width;
            fmt.fmt.pix.height = want.height;
            fmt.fmt.pix.pixelformat = fourcc;
            fmt.fmt.pix.field = V4L2_FIELD_ANY;
            dev->xioctl(VIDIOC_S_FMT, &fmt, "VIDIOC_S_FMT");
            const int width = static_cast<int>(fmt.fmt.pix.width), height = static_cast<int>(fmt.fmt.pix.height);
            const int pitch = static_cast<int>(fmt.fmt.pix.bytesperline);
            fourcc = fmt.fmt.pix.pixelformat;  // the driver may have picked another

            // Frame rate: ask, then report what the device really does (drivers clamp).
            v4l2_streamparm parm{};
            parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            parm.parm.capture.timeperframe = {1000, static_cast<std::uint32_t>(std::lround(options_.fps * 1000))};
            dev->try_ioctl(VIDIOC_S_PARM, &parm);
            double fps = options_.fps;
            if (dev->try_ioctl(VIDIOC_G_PARM, &parm) == 0 && parm.parm.capture.timeperframe.numerator)
                fps = double(parm.parm.capture.timeperframe.denominator) / parm.parm.capture.timeperframe.numerator;

            {
                std::scoped_lock lock(state_->cache_mutex, state_->device_mutex);
                state_->controls_cache = info.controls;
                state_->device = dev.get();
            }
            for (const auto& [id, value] : options_.initial_controls) {
                const auto list = state_->controls();
                const auto* c = find_control(list, id);
                std::string error = "no control '" + id + "' on this camera";
                auto v = c ? validate_control_value(*c, value, error) : std::nullopt;
                const auto r = v ? state_->apply(id, *v) : control_result::failed(error);
                if (!r.ok) spdlog::warn("stream={} camera control {}: {}", name, id, r.error);
            }

            v4l2_requestbuffers req{};
            req.count = static_cast<std::uint32_t>(options_.buffers);
            req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            req.memory = V4L2_MEMORY_MMAP;
            dev->xioctl(VIDIOC_REQBUFS, &req, "VIDIOC_REQBUFS");
            if (req.count < 2) throw v4l2_error(options_.path + ": not enough capture buffers", ENOMEM);
            buffers.resize(req.count);
            for (std::uint32_t i = 0; i < req.count; ++i) {
                v4l2_buffer b{};
                b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
                b.memory = V4L2_MEMORY_MMAP;
                b.index = i;
                dev->xioctl(VIDIOC_QUERYBUF, &b, "VIDIOC_QUERYBUF");
                buffers[i].length = b.length;
                buffers[i].data = ::mmap(nullptr, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, dev->fd(), b.m.offset);
                if (buffers[i].data == MAP_FAILED) throw v4l2_error(options_.path + ": mmap failed", errno);
                dev->xioctl(VIDIOC_QBUF, &b, "VIDIOC_QBUF");
            }
            int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
            dev->xioctl(VIDIOC_STREAMON, &type, "VIDIOC_STREAMON");
            streaming = true;
            hub_->set_info({static_cast<std::uint16_t>(width), static_cast<std::uint16_t>(height), fps, describe()});
            spdlog::info("stream={} camera {} ({}): {} {}x{} at {:.2f} fps{}", name, options_.path, info.card,
                         fourcc_name(fourcc), width, height, fps,
                         std::abs(fps - options_.fps) > 0.01 ? fmt::format(" (asked for {:.2f})", options_.fps) : "");

            auto last_watched = std::chrono::steady_clock::now();
            while (!stop.stop_requested()) {
                pollfd p{dev->fd(), POLLIN, 0};
                const int timeout_ms = static_cast<int>(options_.intake.stall_timeout.count());
                const int r = ::poll(&p, 1, std::min(timeout_ms, 250));
                if (r < 0 && errno != EINTR) throw v4l2_error(options_.path + ": poll failed", errno);
                if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) throw v4l2_error(options_.path + " disconnected", ENODEV);
                if (r == 0) {
                    if (std::chrono::steady_clock::now() - last_watched > options_.intake.stall_timeout)
                        throw v4l2_error("no frame from " + options_.path + " for " + std::to_string(timeout_ms) + " ms", ETIMEDOUT);
                    continue;
                }
                v4l2_buffer b{};
                b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
                b.memory = V4L2_MEMORY_MMAP;
                if (const int err = dev->try_ioctl(VIDIOC_DQBUF, &b)) {
                    if (err == EAGAIN) continue;
                    throw v4l2_error(options_.path + ": " + (err == ENODEV ? "disconnected" : std::string("VIDIOC_DQBUF failed: ") + std::strerror(err)), err);
                }
                const auto* data = static_cast<const std::uint8_t*>(buffers[b.index].data);
                const std::size_t used = b.bytesused ? b.bytesused : buffers[b.index].length;
                const auto capture_us = unix_now_us();
                bool ok = true;
                try {
                    if (fourcc == V4L2_PIX_FMT_MJPEG || fourcc == V4L2_PIX_FMT_JPEG) {
                        // Passthrough, with the standard tables added when the camera left them out.
                        const std::span<const std::uint8_t> jpeg(data, used);
                        if (has_huffman_tables(jpeg)) ok = intake.offer(jpeg, capture_us);
                        else ok = intake.offer(with_standard_huffman_tables(jpeg), capture_us);
                    } else {
                        auto storage = frame::make_storage(0);
                        const std::size_t size = encode_raw_frame(encoder, raw_format_of(fourcc), data, width, height,
                                                                  pitch, options_.quality, planes_buf, storage,
                                                                  frame::header_size);
                        hub_->publish(std::move(storage), size,
                                      frame_info{static_cast<std::uint16_t>(width), static_cast<std::uint16_t>(height), capture_us});
                    }
                } catch (const std::exception& e) {
                    ok = false;
                    spdlog::warn("stream={} frame dropped: {}", name, e.what());
                }
                // Give the buffer back to the driver at once.
                dev->try_ioctl(VIDIOC_QBUF, &b);
                if (ok) {
                    report_status(*hub_, true);
                    retry.reset();
                }
                last_watched = std::chrono::steady_clock::now();
                if (!options_.intake.always_on && hub_->viewer_count() == 0) {
                    spdlog::info("stream={} source idle: no viewers, camera closed", name);
                    break;
                }
            }
            cleanup();
        } catch (const v4l2_error& e) {
            cleanup();
            const auto delay = retry.next();
            report_status(*hub_, false, std::string(e.what()) + "; retrying in " + std::to_string(delay.count()) + " ms");
            if (!sleep_for(stop, delay)) break;
        }
    }
}

std::string list_v4l2_devices(bool json) {
    nlohmann::json all = nlohmann::json::array();
    std::ostringstream text;
    const auto paths = list_video_devices();
    if (paths.empty()) text << "no video devices under /dev\n";
    for (const auto& path : paths) {
        try {
            v4l2_device dev(path);
            const auto info = dev.describe();
            nlohmann::json d = {{"path", path}, {"card", info.card}, {"driver", info.driver}, {"bus", info.bus}};
            text << path << ": " << info.card << " (" << info.driver << ", " << info.bus << ")\n";
            for (const auto& f : info.formats) {
                nlohmann::json sizes = nlohmann::json::array();
                text << "  " << f.name << (supported(f.fourcc) ? "" : " (not supported by wscam)") << "  " << f.description << "\n";
                for (const auto& s : f.sizes) {
                    sizes.push_back({{"width", s.width}, {"height", s.height}, {"fps", s.fps}});
                    text << "    " << s.width << "x" << s.height << "  ";
                    for (std::size_t i = 0; i < s.fps.size(); ++i) text << (i ? ", " : "") << std::round(s.fps[i] * 100) / 100;
                    text << (s.fps.empty() ? "" : " fps") << "\n";
                }
                d["formats"].push_back({{"fourcc", f.name}, {"description", f.description}, {"supported", supported(f.fourcc)}, {"sizes", sizes}});
            }
            text << "  controls:\n";
            for (const auto& c : info.controls) {
                text << "    " << c.info.id << " (" << c.info.type;
                if (c.info.type == "int") text << " " << c.info.min << ".." << c.info.max;
                text << ") = " << c.info.value << "\n";
                d["controls"].push_back({{"id", c.info.id}, {"name", c.info.name}, {"type", c.info.type}, {"min", c.info.min},
                                         {"max", c.info.max}, {"value", c.info.value}});
            }
            all.push_back(std::move(d));
        } catch (const v4l2_error& e) {
            text << path << ": " << e.what() << "\n";
        }
    }
    // Drivers name things in whatever encoding they like; JSON must be UTF-8.
    return json ? all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n" : text.str();
}

}  // namespace wscam
