#include "sources/v4l2/v4l2_source.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>

#include "core/backoff.hpp"
#include "core/interruptible_sleep.hpp"
#include "sources/source_status.hpp"
#include "sources/source_thread.hpp"
#include "sources/v4l2/v4l2_capture.hpp"
#include "sources/v4l2/v4l2_controls.hpp"
#include "sources/v4l2/v4l2_frame_publisher.hpp"

namespace wscam {

v4l2_source::v4l2_source(std::shared_ptr<stream> hub, v4l2_options options)
    : hub_(std::move(hub)), options_(std::move(options)), controls_(std::make_shared<v4l2_controls>()) {
    hub_->set_controllable(controls_);
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
    controls_->stop();  // no control call runs once the source has stopped
}

std::string v4l2_source::describe() const { return "v4l2:" + options_.path; }

/** While someone watches: open the camera, publish its frames, close it; a failure is retried with backoff. */
void v4l2_source::run(std::stop_token stop) {
    backoff retry(options_.intake.reconnect_initial, options_.intake.reconnect_max);
    v4l2_frame_publisher frames(hub_, options_);
    while (!stop.stop_requested()) {
        if (!options_.intake.always_on && hub_->viewer_count() == 0) {
            if (!hub_->wait_for_viewers(stop)) break;
        }
        try {
            v4l2_capture capture(options_, *controls_, hub_->name());
            hub_->set_info({static_cast<std::uint16_t>(capture.width()), static_cast<std::uint16_t>(capture.height()),
                            capture.fps(), describe()});
            spdlog::info("stream={} camera {} ({}): {} {}x{} at {:.2f} fps{}", hub_->name(), options_.path,
                         capture.info().card, fourcc_name(capture.fourcc()), capture.width(), capture.height(), capture.fps(),
                         std::abs(capture.fps() - options_.fps) > 0.01 ? fmt::format(" (asked for {:.2f})", options_.fps) : "");
            capture_while_watched(capture, stop, frames, retry);
        } catch (const v4l2_error& e) {
            const auto delay = retry.next();
            report_status(*hub_, false, std::string(e.what()) + "; retrying in " + std::to_string(delay.count()) + " ms");
            if (!sleep_for(stop, delay)) break;
        }
    }
}

/** Publishes the camera's frames until stop, or until nobody watches (the capture is then closed). */
void v4l2_source::capture_while_watched(v4l2_capture& capture, std::stop_token stop, v4l2_frame_publisher& frames,
                                        backoff& retry) {
    while (!stop.stop_requested()) {
        bool ok = false;
        if (!capture.next_frame([&](std::span<const std::uint8_t> data) { ok = frames.publish(data, capture); })) continue;
        if (ok) {
            report_status(*hub_, true);
            retry.reset();
        }
        if (!options_.intake.always_on && hub_->viewer_count() == 0) {
            spdlog::info("stream={} source idle: no viewers, camera closed", hub_->name());
            break;
        }
    }
}

}  // namespace wscam
