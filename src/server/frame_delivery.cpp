#include "server/frame_delivery.hpp"

#include <fmt/format.h>

namespace wscam {

bool jpeg_delivery::offer(const frame_ptr& f) {
    const auto dropped = slot_.dropped();
    slot_.offer(f);
    return slot_.dropped() != dropped;
}

std::string jpeg_delivery::set_paused(bool paused, const frame_ptr& latest) {
    if (paused)
        slot_.clear_pending();
    else
        slot_.offer(latest);
    return {};
}

std::string jpeg_delivery::summary() const { return fmt::format("frames={} drops={}", slot_.sent(), slot_.skipped()); }

}  // namespace wscam
