#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/rate_limit.hpp"
#include "protocol/viewer_message.hpp"

namespace wscam {

/** What one text from a viewer asks the session to do. */
struct viewer_action {
    std::string reply;                       // serialised pong or error to send back; empty for none
    std::optional<bool> pause;               // true: stop sending frames; false: resume
    std::optional<control_message> control;  // a change to pass to the stream (allowed, within the rate)
    bool keyframe = false;                   // an H.264 viewer asks to start again at a keyframe
    std::string log;                         // why the message was refused, for a debug log line
};

/**
 * The viewer's side of the wscam.v1 text protocol without any socket: turns each text a
 * viewer sends into an action, with the reply already serialised. Pure, so that what a
 * viewer can reach is unit-tested and fuzzed end to end. Controls are refused without the
 * control role and limited per viewer (`max_controls_per_second`, with a burst).
 */
class viewer_protocol {
public:
    static constexpr double max_controls_per_second = 20;
    static constexpr double control_burst = 20;

    explicit viewer_protocol(bool can_control) : can_control_(can_control) {}

    viewer_action on_text(std::string_view text, std::int64_t server_time_us,
                          std::chrono::steady_clock::time_point now);
    viewer_action on_binary();

private:
    bool can_control_;
    token_bucket control_rate_{max_controls_per_second, control_burst};
};

}  // namespace wscam
