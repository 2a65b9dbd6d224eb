#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/controls.hpp"

namespace wscam {

/** `{"type":"hello","controls":[…]}`: a publisher announces the controls it offers. */
struct publisher_hello {
    std::vector<control_info> controls;
};

/** `{"type":"control_changed","id":…,"value":…}`: the value now in effect on the camera. */
struct publisher_control_changed {
    std::string id;
    double value = 0;
};

/** `{"type":"error","id":…,"reason":…}`: the camera could not apply a change. */
struct publisher_error {
    std::string id;
    std::string reason;
};

/** Any other text: the camera's own words, shown to viewers as the stream's status message. */
struct publisher_status_text {
    std::string text;
};

/** A protocol message that is malformed (a hello with a bad control list, ...); `reason` says why. */
struct publisher_invalid {
    std::string reason;
};

using publisher_message =
    std::variant<publisher_hello, publisher_control_changed, publisher_error, publisher_status_text, publisher_invalid>;

/** Most controls a publisher may announce, and most options of one menu. */
constexpr std::size_t max_publisher_controls = 64;
constexpr std::size_t max_menu_options = 256;
/**
 * Most bytes of a hello, and of its list as wscam writes it again (what every viewer is sent):
 * 64 menus of 256 long labels are a valid list of 1.5 MB, sent to every viewer at each hello.
 * A real camera's list takes a few KiB (an ESP32's 25 controls: 3 KiB).
 */
constexpr std::size_t max_publisher_controls_bytes = 64 * 1024;

/**
 * Reads one text message from a publisher (see docs/PROTOCOL.md, "Publishing"). Never throws;
 * every string in the result is sanitised, every number finite, every control well-formed.
 */
publisher_message parse_publisher_text(std::string_view text);

/** `{"type":"control","id":…,"value":…}`: what wscam sends a publisher to change a control. */
std::string make_publisher_control_message(const std::string& id, double value);

/**
 * What a publisher sends, for wscam's own use as one (the owner of a stream speaks to the
 * cluster's relays in the publisher protocol): `{"type":"hello","controls":[…]}` and
 * `{"type":"error","id":…,"reason":…}`. parse_publisher_text reads them back.
 */
std::string make_publisher_hello_message(const std::vector<control_info>& controls);
std::string make_publisher_error_message(const std::string& id, const std::string& reason);

}  // namespace wscam
