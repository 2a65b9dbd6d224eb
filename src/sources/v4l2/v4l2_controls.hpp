#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/controls.hpp"
#include "sources/control_worker.hpp"
#include "sources/v4l2/v4l2_device.hpp"

namespace wscam {

/**
 * A V4L2 camera's controls as the stream's controls, shared by the capture thread and the
 * viewers. The list viewers see is a cache under its own short lock; ioctls run on the control
 * worker under the device lock, so a slow UVC control never holds up an I/O thread (nor a new
 * viewer's hello, which reads the list). Between attach() and detach() (while a capture has
 * the device open) a change reaches the camera; otherwise it is refused.
 */
class v4l2_controls : public controllable, public std::enable_shared_from_this<v4l2_controls> {
public:
    std::vector<control_info> controls() const override;
    void set_control(const std::string& id, double value, control_callback done) override;

    /** The device is open: its `controls` are the list, and changes go to it. */
    void attach(v4l2_device& device, std::vector<v4l2_control_desc> controls);
    /** The device is about to close. */
    void detach();

    /** Sets the URI's `ctrl.NAME=` values on the attached device; what fails is logged for `stream`. */
    void apply_initial(const std::map<std::string, double>& values, const std::string& stream);

    /** No control call runs once this returns (the source has stopped). */
    void stop() { worker_.stop(); }

private:
    /** Sets a control on the device now (control worker or capture thread). */
    control_result apply(const std::string& id, double value);

    mutable std::mutex cache_mutex_;
    std::vector<v4l2_control_desc> cache_;
    std::mutex device_mutex_;
    v4l2_device* device_ = nullptr;  // set while the device is open
    control_worker worker_;          // last: its thread stops before the rest goes away
};

}  // namespace wscam
