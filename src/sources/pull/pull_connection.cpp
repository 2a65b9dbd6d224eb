#include "sources/pull/pull_connection.hpp"

#include <stdexcept>

#include "sources/source_status.hpp"

namespace wscam::pull {

bool pull_connection::offer(std::span<const std::uint8_t> jpeg) {
    if (!intake.offer(jpeg)) return false;
    last_frame = std::chrono::steady_clock::now();
    report_status(*hub, true);
    if (!delivered) {
        delivered = true;
        if (on_first_frame) on_first_frame();
    }
    return true;
}

void pull_connection::check_stall() const {
    if (std::chrono::steady_clock::now() - last_frame > options.stall_timeout)
        throw std::runtime_error("no valid frame for " + std::to_string(options.stall_timeout.count()) + " ms");
}

bool pull_connection::idle() {
    const auto now = std::chrono::steady_clock::now();
    if (options.always_on || hub->viewer_count() > 0) {
        last_watched = now;
        return false;
    }
    return now - last_watched > options.idle_grace;
}

}  // namespace wscam::pull
