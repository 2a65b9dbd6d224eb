// libFuzzer target: a publisher's (pushing camera's) text messages, end to end (also as a
// cluster relay takes them from a stream's owner node). Each input is
// split into messages at newlines and fed to the publisher protocol of a real stream, with a
// viewer's control request in between; everything that then carries the publisher's words is
// serialised — the status and controls messages to viewers, a new viewer's hello, the control
// request to the camera, /api/streams — and must parse back as JSON.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "protocol/viewer_message.hpp"
#include "core/text.hpp"
#include "server/api_render.hpp"
#include "protocol/publisher_protocol.hpp"

namespace {

void check(const std::string& text) {
    if (!nlohmann::json::accept(text)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The first byte picks a pushing camera or (odd) a cluster relay hearing the stream's owner node.
    const bool relayed = size > 0 && (data[0] & 1) != 0;
    auto streams = std::make_shared<wscam::stream_registry>();
    auto hub = streams->add("cam");
    // The session's thread is this one: post runs the job at once; what is sent is checked.
    wscam::publisher_protocol protocol(
        hub, [](std::function<void()> job) { job(); return true; }, [](std::string text) { check(text); }, relayed);
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        (void)protocol.on_text(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        for (const auto& c : hub->controls()) {
            if (!wscam::is_clean_text(c.name)) __builtin_trap();
            hub->set_control(c.id, c.max, [](const wscam::control_result& r) {
                if (!r.ok) check(wscam::make_error_message(r.error));
            });
        }
    }
    protocol.expire(std::chrono::steady_clock::now() + std::chrono::hours(1));
    const auto s = hub->status();
    if (!wscam::is_clean_text(s.message) || s.message.size() > wscam::max_outside_text_bytes) __builtin_trap();
    check(wscam::make_status_message("cam", s.online, s.reason, s.message));
    check(wscam::make_controls_message("cam", hub->controls()));
    check(wscam::make_hello_message({"cam", 1, 1, 30, s.online, s.reason, "wscam.v1", 0, hub->controls(), true, "jpeg", "", ""}));
    check(wscam::streams_json(*streams, [](const std::string&) { return true; }));
    protocol.close();
    return 0;
}
