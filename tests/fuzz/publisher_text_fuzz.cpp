// libFuzzer target: a publisher's (pushing camera's) text messages, end to end. The text goes
// through the publisher protocol into the stream's status, and everything that then carries
// it is serialised — the status message to viewers, a new viewer's hello, /api/streams — and
// must parse back as JSON with no raw control characters.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/client_message.hpp"
#include "core/text.hpp"
#include "server/api_render.hpp"
#include "server/publisher_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static auto streams = [] {
        auto s = std::make_shared<wscam::stream_registry>();
        s->add("cam");
        return s;
    }();
    auto hub = streams->find("cam");
    wscam::on_publisher_text(*hub, std::string_view(reinterpret_cast<const char*>(data), size));
    const auto s = hub->status();
    if (!wscam::is_clean_text(s.message) || s.message.size() > wscam::max_outside_text_bytes) __builtin_trap();
    for (const auto& text : {wscam::make_status_message("cam", s.online, s.reason, s.message),
                             wscam::make_hello_message({"cam", 1, 1, 30, s.online, s.reason, "wscam.v1", 0, {}, false}),
                             wscam::streams_json(*streams)})
        if (!nlohmann::json::accept(text)) __builtin_trap();
    return 0;
}
