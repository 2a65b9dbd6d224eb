#include "sources/source_status.hpp"

#include <spdlog/spdlog.h>

namespace wscam {

void report_status(stream& hub, bool online, const std::string& reason) {
    // Every accepted frame says "online": no copy of the status, no sanitising, once it is.
    if (online && hub.online()) return;
    auto status = hub.status();
    status.online = online;
    status.reason = online ? std::string() : reason;
    if (!online) status.message.clear();
    if (!hub.set_status(status)) return;
    if (online)
        spdlog::info("stream={} source online", hub.name());
    else  // the hub's copy: a camera's words, sanitised
        spdlog::warn("stream={} source offline: {}", hub.name(), hub.status().reason);
}

}  // namespace wscam
