#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sources/v4l2/v4l2_controls.hpp"
#include "sources/v4l2/v4l2_device.hpp"
#include "sources/v4l2/v4l2_options.hpp"

namespace wscam {

/**
 * A V4L2 camera, open and streaming (mmap I/O) for as long as this object lives. The
 * constructor opens the device, chooses and sets the format, size and rate, hands the device's
 * controls to the stream (with the URI's initial values), maps and queues the buffers and
 * turns streaming on; the destructor undoes each step in reverse, and so does a constructor
 * that throws half-way. Failures are v4l2_error (a vanished device: ENODEV), which the source
 * answers by going offline and opening the camera again after a backoff.
 */
class v4l2_capture {
public:
    v4l2_capture(const v4l2_options& options, v4l2_controls& controls, const std::string& stream);
    ~v4l2_capture();
    v4l2_capture(const v4l2_capture&) = delete;
    v4l2_capture& operator=(const v4l2_capture&) = delete;

    /**
     * Waits up to 250 ms (so that the caller can look at its stop token) for a filled buffer,
     * hands its bytes to `use` and gives the buffer back to the driver at once. False when none
     * came in that time. Throws when the device went away, or sent nothing for stall_timeout.
     */
    bool next_frame(const std::function<void(std::span<const std::uint8_t>)>& use);

    const v4l2_device_info& info() const { return info_; }
    std::uint32_t fourcc() const { return fourcc_; }  // what the driver chose (it may differ from the wish)
    int width() const { return width_; }
    int height() const { return height_; }
    int pitch() const { return pitch_; }  // bytes per row of the (first) plane
    double fps() const { return fps_; }   // what the device really does (drivers clamp)

private:
    /** The driver's buffers, mapped into this process; unmapped when this goes. */
    struct mapped_buffers {
        struct buffer {
            void* data;
            std::size_t length;
        };
        std::vector<buffer> list;
        ~mapped_buffers();
    };
    /** The stream's controls reach the device from attach() until this goes. */
    struct controls_attachment {
        v4l2_controls* controls = nullptr;
        ~controls_attachment() {
            if (controls) controls->detach();
        }
    };

    void set_format(const v4l2_options& options);
    void set_rate(double wanted);
    void map_buffers(int count);

    std::string path_;
    std::chrono::milliseconds stall_timeout_;
    // Declared in the order they are set up: they are undone in the reverse order.
    v4l2_device device_;
    v4l2_device_info info_;
    controls_attachment controls_;
    mapped_buffers buffers_;
    std::uint32_t fourcc_ = 0;
    int width_ = 0, height_ = 0, pitch_ = 0;
    double fps_ = 0;
    std::chrono::steady_clock::time_point last_frame_;
};

}  // namespace wscam
