// libFuzzer target: everything a viewer can reach with a text message, end to end. The bytes
// go through the viewer protocol; a control request goes on through a real stream to a
// camera with controls; every reply that would be sent is serialised and must parse back as
// JSON. (Issue 14: one such message used to abort the server while serialising its reply.)
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/stream.hpp"
#include "protocol/viewer_protocol.hpp"

namespace {

struct camera : wscam::controllable {
    double values[2] = {0, 1};
    std::vector<wscam::control_info> controls() const override {
        return {{"brightness", "Brightness", "int", -2, 2, 1, values[0], {}},
                {"wb_mode", "White balance", "menu", 0, 4, 1, values[1], {{0, "Auto"}, {1, "Sunny"}, {2, "Cloudy"}}}};
    }
    void set_control(const std::string& id, double value, wscam::control_callback done) override {
        values[id == "brightness" ? 0 : 1] = value;
        done(wscam::control_result::applied(value));
    }
};

struct sink : wscam::frame_sink {
    void on_frame(wscam::frame_ptr) override {}
    void on_status(const wscam::stream_status&) override {}
    void on_control_changed(const std::string& id, double value) override {
        check(wscam::make_control_changed_message("cam", id, value));
    }
    static void check(const std::string& text) {
        if (!nlohmann::json::accept(text)) __builtin_trap();  // a reply that is not JSON
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static auto hub = [] {
        auto h = std::make_shared<wscam::stream>("cam");
        h->set_controllable(std::make_shared<camera>());
        return h;
    }();
    static auto watcher = [] {
        auto s = std::make_shared<sink>();
        hub->subscribe(s);
        return s;
    }();
    (void)watcher;
    wscam::viewer_protocol protocol(/*can_control=*/size % 2 == 0);
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto action = protocol.on_text(text, 1700000000000000, std::chrono::steady_clock::now());
    if (!action.reply.empty()) sink::check(action.reply);
    if (action.control)
        hub->set_control(action.control->id, action.control->value, [](const wscam::control_result& r) {
            if (!r.ok) sink::check(wscam::make_error_message(r.error));
        });
    return 0;
}
