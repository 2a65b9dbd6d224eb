#include "sources/v4l2/v4l2_controls.hpp"

#include <linux/videodev2.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstring>

namespace wscam {

std::vector<control_info> v4l2_controls::controls() const {
    std::lock_guard lock(cache_mutex_);
    std::vector<control_info> out;
    for (const auto& c : cache_) out.push_back(c.info);
    return out;
}

void v4l2_controls::set_control(const std::string& id, double value, control_callback done) {
    // The job holds the controls weakly: the last owner must never be the worker's own thread.
    auto job = [weak = weak_from_this(), id, value, done] {
        if (auto self = weak.lock())
            done(self->apply(id, value));
        else
            done(control_result::failed("the camera has gone"));
    };
    if (!worker_.submit(std::move(job)))
        done(control_result::failed(id + ": the camera is busy with earlier changes (or stopped), try again"));
}

void v4l2_controls::attach(v4l2_device& device, std::vector<v4l2_control_desc> controls) {
    std::scoped_lock lock(cache_mutex_, device_mutex_);
    cache_ = std::move(controls);
    device_ = &device;
}

void v4l2_controls::detach() {
    std::lock_guard lock(device_mutex_);
    device_ = nullptr;
}

void v4l2_controls::apply_initial(const std::map<std::string, double>& values, const std::string& stream) {
    for (const auto& [id, value] : values) {
        const auto list = controls();
        const auto* c = find_control(list, id);
        std::string error = "no control '" + id + "' on this camera";
        auto v = c ? validate_control_value(*c, value, error) : std::nullopt;
        const auto r = v ? apply(id, *v) : control_result::failed(error);
        if (!r.ok) spdlog::warn("stream={} camera control {}: {}", stream, id, r.error);
    }
}

control_result v4l2_controls::apply(const std::string& id, double value) {
    std::uint32_t cid = 0;
    {
        std::lock_guard lock(cache_mutex_);
        for (const auto& c : cache_)
            if (c.info.id == id) cid = c.cid;
    }
    if (!cid) return control_result::failed("no control '" + id + "' on this camera");
    ::v4l2_control ctrl{cid, static_cast<std::int32_t>(std::lround(value))};
    {
        std::lock_guard lock(device_mutex_);
        if (!device_) return control_result::failed("the camera is not open right now");
        if (const int err = device_->try_ioctl(VIDIOC_S_CTRL, &ctrl))
            return control_result::failed(id + ": the camera refused it (" + std::strerror(err) + ")");
        device_->try_ioctl(VIDIOC_G_CTRL, &ctrl);  // what the driver actually set
    }
    std::lock_guard lock(cache_mutex_);
    for (auto& c : cache_)
        if (c.cid == cid) c.info.value = ctrl.value;
    return control_result::applied(ctrl.value);
}

}  // namespace wscam
