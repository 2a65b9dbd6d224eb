#include "protocol/viewer_protocol.hpp"

#include <variant>

namespace wscam {

viewer_action viewer_protocol::on_text(std::string_view text, std::int64_t server_time_us,
                                       std::chrono::steady_clock::time_point now) {
    viewer_action a;
    auto refuse = [&](std::string reason) {
        a.log = reason;
        a.reply = make_error_message(reason);
    };
    const auto message = parse_client_message(text);
    if (const auto* ping = std::get_if<ping_message>(&message)) {
        a.reply = make_pong_message(*ping, server_time_us);
    } else if (const auto* pause = std::get_if<pause_message>(&message)) {
        a.pause = pause->paused;
    } else if (const auto* control = std::get_if<control_message>(&message)) {
        if (!can_control_)
            refuse("changing controls needs the control token");
        else if (!control_rate_.take(now))
            refuse("too many control changes: at most " + std::to_string(static_cast<int>(max_controls_per_second)) +
                   " a second");
        else
            a.control = *control;
    } else if (std::holds_alternative<keyframe_message>(message)) {
        a.keyframe = true;
    } else if (const auto* bad = std::get_if<invalid_message>(&message)) {
        refuse(bad->reason);
    }
    return a;
}

viewer_action viewer_protocol::on_binary() {
    viewer_action a;
    a.log = "binary message from a viewer";
    a.reply = make_error_message("viewers send JSON text messages, not binary");
    return a;
}

}  // namespace wscam
