#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "core/stream.hpp"
#include "sources/frame_intake.hpp"
#include "sources/network_url.hpp"
#include "sources/source_options.hpp"

namespace wscam::pull {

/**
 * What one connection to a camera shares with pull_source's reconnect loop: where frames go,
 * when the last one came and whether anyone still watches. A camera reader (HTTP or WebSocket)
 * offers every JPEG here and ends when the camera stalls (check_stall throws) or nobody watches
 * (idle); the flags tell the loop how the connection ended. (Not a "session": that is a
 * viewer's connection to the server.)
 */
struct pull_connection {
    std::shared_ptr<stream> hub;
    frame_intake& intake;
    const intake_options& options;
    const network_url& url;
    std::atomic<bool>& stopping;
    std::chrono::steady_clock::time_point last_frame{};
    std::chrono::steady_clock::time_point last_watched{};
    bool went_idle = false;      // the reader let go because nobody watched
    bool reconnect_now = false;  // the peer closed a healthy connection (single JPEG without keep-alive)
    bool delivered = false;      // this connection has delivered a valid frame
    std::function<void()> on_first_frame{};  // e.g. re-read the camera's controls

    /** Checks and publishes a JPEG; true when it was accepted. */
    bool offer(std::span<const std::uint8_t> jpeg);

    /** Throws when valid frames stopped coming for stall_timeout (the socket may still be busy with garbage). */
    void check_stall() const;

    /** True when the reader should let go: nobody has watched for idle_grace (5 s). */
    bool idle();
};

}  // namespace wscam::pull
