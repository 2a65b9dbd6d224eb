// libFuzzer target: text a camera chooses (an HTTP reason phrase, a WebSocket text, a device
// or file name, an ESP32 CameraWebServer's /status body) on its way into a stream's status,
// description and controls, then out through /api/streams, /metrics, a viewer's status
// message, hello and controls message. (Issue 14: a camera's "503 Sp\xe4ter" made
// /api/streams throw and abort the server.)
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "protocol/viewer_message.hpp"
#include "core/text.hpp"
#include "server/api_render.hpp"
#include "sources/esp32/camera_web_server.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static auto streams = [] {
        auto s = std::make_shared<wscam::stream_registry>();
        s->add("cam");
        return s;
    }();
    auto hub = streams->find("cam");
    const std::string text(reinterpret_cast<const char*>(data), size);
    hub->set_status(wscam::stream_status::down("HTTP 503 " + text));
    hub->set_info({640, 480, 30, "http://" + text});
    const auto s = hub->status();
    const auto info = hub->info();
    if (!wscam::is_clean_text(s.reason) || !wscam::is_clean_text(info.source)) __builtin_trap();
    for (const auto& json : {wscam::make_status_message("cam", s.online, s.reason, s.message),
                             wscam::make_hello_message({"cam", 1, 1, 30, s.online, s.reason, "wscam.v1", 0, {}, true, "jpeg", "", ""}),
                             wscam::streams_json(*streams, [](const std::string&) { return true; })})
        if (!nlohmann::json::accept(json)) __builtin_trap();
    const auto metrics = wscam::metrics_text(*streams, {});
    if (metrics.find('\0') != std::string::npos) __builtin_trap();
    hub->set_status(wscam::stream_status::up());
    // The same bytes as a board's /status: its controls must serialise for viewers.
    for (auto numbering : {wscam::esp32::framesize_numbering::current, wscam::esp32::framesize_numbering::before_2_0_14}) {
        const auto reading = wscam::esp32::read_status(text, numbering);
        if (!nlohmann::json::accept(wscam::make_controls_message("cam", reading.controls))) __builtin_trap();
        if (!reading.is_camera_web_server && !reading.controls.empty()) __builtin_trap();
    }
    return 0;
}
