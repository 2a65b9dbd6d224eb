#include "sources/frame_intake.hpp"

#include <spdlog/spdlog.h>


namespace wscam {

frame_intake::frame_intake(std::shared_ptr<stream> hub, std::size_t max_frame_bytes, std::uint64_t max_frame_pixels)
    : hub_(std::move(hub)), max_frame_bytes_(max_frame_bytes), max_frame_pixels_(max_frame_pixels) {}

bool frame_intake::refuse(std::string reason) {
    reason_ = std::move(reason);
    ++rejected_;
    hub_->count_rejected();
    std::uint64_t suppressed = 0;
    if (log_limit_.allow(rate_limit::clock::now(), suppressed))
        spdlog::warn("stream={} bad frame refused: {}{}", hub_->name(), reason_,
                     suppressed ? fmt::format(" ({} more since the last report)", suppressed) : std::string());
    return false;
}

bool frame_intake::offer(std::span<const std::uint8_t> jpeg, std::int64_t capture_us) {
    if (jpeg.size() > max_frame_bytes_)
        return refuse("frame of " + std::to_string(jpeg.size()) + " bytes exceeds --max-frame-bytes " +
                      std::to_string(max_frame_bytes_));
    if (!has_jpeg_markers(jpeg)) return refuse("not a JPEG (no FFD8 start or FFD9 end marker), " + std::to_string(jpeg.size()) + " bytes");
    std::string error;
    auto info = decoder_.read_header(jpeg, &error);
    if (!info) return refuse("unreadable JPEG header: " + error);
    if (info->width > 65535 || info->height > 65535 || info->width <= 0 || info->height <= 0)
        return refuse("JPEG header gives no usable picture size");
    if (std::uint64_t(info->width) * std::uint64_t(info->height) > max_frame_pixels_)
        return refuse("picture of " + std::to_string(info->width) + "x" + std::to_string(info->height) +
                      " exceeds --max-frame-pixels " + std::to_string(max_frame_pixels_));
    if (const int scans = jpeg_scan_count(jpeg, max_jpeg_scans); scans > max_jpeg_scans)
        return refuse("a JPEG of more than " + std::to_string(max_jpeg_scans) + " scans (progressive pictures have about ten; "
                      "each costs a decoder a pass over the whole picture)");
    if (info->width != width_ || info->height != height_) {
        // The camera's size is what viewers are told in hello and /api.
        auto stream = hub_->info();
        stream.width = static_cast<std::uint16_t>(info->width);
        stream.height = static_cast<std::uint16_t>(info->height);
        hub_->set_info(stream);
    }
    width_ = info->width;
    height_ = info->height;

    hub_->publish(frame::make_storage(jpeg), jpeg.size(),
                  frame_info{static_cast<std::uint16_t>(width_), static_cast<std::uint16_t>(height_),
                             capture_us ? capture_us : unix_now_us()});
    ++accepted_;
    return true;
}

const char* subsampling_name(int s) {
    switch (s) {
    case 0: return "4:4:4";
    case 1: return "4:2:2";
    case 2: return "4:2:0";
    case 3: return "grey";
    case 4: return "4:4:0";
    case 5: return "4:1:1";
    default: return "unknown";
    }
}

}  // namespace wscam
