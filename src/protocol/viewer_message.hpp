#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/controls.hpp"

namespace wscam {

/** `{"type":"ping","id":N,"t":client_ms}`: asks for a pong carrying the server's clock. */
struct ping_message {
    std::int64_t id = 0;
    double client_time = 0;  // echoed back untouched, in the client's own unit
};

/** `{"type":"pause"}` / `{"type":"resume"}`: stop or restart frame delivery (hidden tab). */
struct pause_message {
    bool paused = true;
};

/** `{"type":"control","id":"brightness","value":N}`: set one of the stream's controls. */
struct control_message {
    std::string id;
    double value = 0;
};

/** `{"type":"keyframe"}`: an H.264 viewer (its decoder failed) asks to start again at a keyframe. */
struct keyframe_message {};

/** A message that could not be understood; `reason` says why, for the error reply. */
struct invalid_message {
    std::string reason;
};

using client_message = std::variant<ping_message, pause_message, control_message, keyframe_message, invalid_message>;

/** Longest control id kept from a viewer's message (real ids are short: "brightness"). */
constexpr std::size_t max_control_id_bytes = 64;

/** Largest text message a viewer may send; larger ones close the connection (1009). */
constexpr std::size_t max_client_message_bytes = 4096;

/** Parses one text message from a viewer (JSON, see docs/PROTOCOL.md). Never throws. */
client_message parse_client_message(std::string_view text);

/** Server → client JSON texts, built in one place so docs/PROTOCOL.md has one source. */
struct hello_fields {
    std::string stream;
    std::uint16_t width = 0, height = 0;
    double fps = 0;
    bool online = false;
    std::string reason;
    std::string protocol;
    std::int64_t server_time_us = 0;
    std::vector<control_info> controls;
    bool can_control = false;
    std::string codec = "jpeg";  // what the binary messages carry: "jpeg" or "h264"
    std::string codec_string;    // h264: what a WebCodecs decoder is configured with, e.g. "avc1.42C01E"
    std::string codec_note;      // why H.264 was asked for and not given
};
std::string make_hello_message(const hello_fields& h);
std::string make_control_changed_message(const std::string& stream, const std::string& id, double value);
/** `{"type":"controls",...}`: the stream's set of controls changed while it runs. */
std::string make_controls_message(const std::string& stream, const std::vector<control_info>& controls);
std::string make_status_message(const std::string& stream, bool online, const std::string& reason,
                                const std::string& message = {});
std::string make_pong_message(const ping_message& ping, std::int64_t server_time_us);
std::string make_error_message(const std::string& reason);

}  // namespace wscam
