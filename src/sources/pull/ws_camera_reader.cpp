// WebSocket pull: the ESP32 tutorial's sketch (ws://board:81/) sends each JPEG as one binary
// message; text messages from the camera are passed on to viewers as status.
#include "sources/pull/camera_readers.hpp"

namespace wscam::pull {
namespace {

constexpr std::size_t max_camera_text = 512;

template <class Stream>
awaitable<void> read_ws_camera_on(Stream& stream, pull_connection& c) {
    websocket::stream<Stream&> ws(stream);
    beast::get_lowest_layer(stream).expires_never();  // the WebSocket's own timeouts take over
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = c.options.stall_timeout;
    timeouts.idle_timeout = c.options.stall_timeout;
    timeouts.keep_alive_pings = false;  // silence for stall_timeout means the camera is gone
    ws.set_option(timeouts);
    ws.read_message_max(c.options.max_frame_bytes);
    ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
        req.set(http::field::user_agent, "wscam");
        if (!c.url.user.empty()) req.set(http::field::authorization, basic_auth(c.url));
    }));
    co_await ws.async_handshake(c.url.host_header(), c.url.target, use_awaitable);

    beast::flat_buffer buffer;
    for (;;) {
        buffer.clear();
        co_await ws.async_read(buffer, use_awaitable);
        const auto data = buffer.cdata();
        const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(data.data()), data.size());
        if (ws.got_text()) {
            auto status = c.hub->status();
            status.message.assign(reinterpret_cast<const char*>(bytes.data()), std::min(bytes.size(), max_camera_text));
            c.hub->set_status(status);
        } else {
            c.offer(bytes);
        }
        c.check_stall();
        if (c.idle()) {
            c.went_idle = true;
            beast::error_code ignored;
            co_await ws.async_close(websocket::close_code::normal, net::redirect_error(use_awaitable, ignored));
            co_return;
        }
    }
}

}  // namespace

awaitable<void> read_ws_camera(beast::tcp_stream& stream, pull_connection& c) { return read_ws_camera_on(stream, c); }
awaitable<void> read_ws_camera(tls_stream& stream, pull_connection& c) { return read_ws_camera_on(stream, c); }

}  // namespace wscam::pull
