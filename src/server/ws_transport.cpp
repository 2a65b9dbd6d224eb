#include "server/ws_transport.hpp"

#include <string>

namespace wscam {
namespace {

std::variant<websocket::stream<tcp::socket>, websocket::stream<tls_stream>> make_ws(std::variant<tcp::socket, tls_stream> s) {
    using both = std::variant<websocket::stream<tcp::socket>, websocket::stream<tls_stream>>;
    if (auto* plain = std::get_if<tcp::socket>(&s)) return both(std::in_place_index<0>, std::move(*plain));
    return both(std::in_place_index<1>, std::move(std::get<tls_stream>(s)));
}

/** Runs the handler on the socket's executor: Boost 1.81's any_completion_executor cannot be
 *  required to be blocking.never, which Beast's post of a finished operation asks for. */
template <class Handler>
auto on_executor(net::any_io_executor ex, Handler&& h) {
    return net::bind_executor(std::move(ex), std::forward<Handler>(h));
}

}  // namespace

ws_transport::ws_transport(std::variant<tcp::socket, tls_stream> stream, std::shared_ptr<ssl::context> tls_context)
    : tls_context_(std::move(tls_context)), ws_(make_ws(std::move(stream))) {}

ws_transport::~ws_transport() = default;

void ws_transport::configure(const websocket::stream_base::timeout& timeouts, std::size_t read_message_max,
                             bool auto_fragment) {
    std::visit(
        [&](auto& ws) {
            ws.set_option(timeouts);
            ws.read_message_max(read_message_max);
            ws.auto_fragment(auto_fragment);
        },
        ws_);
}

void ws_transport::async_accept(const http::request<http::string_body>& req, std::string_view subprotocol,
                                done_handler handler) {
    std::visit(
        [&](auto& ws) {
            ws.set_option(websocket::stream_base::decorator([sub = std::string(subprotocol)](websocket::response_type& res) {
                res.set(http::field::server, "wscam");
                if (!sub.empty()) res.set(http::field::sec_websocket_protocol, sub);
            }));
            ws.async_accept(req, on_executor(get_executor(), std::move(handler)));
        },
        ws_);
}

void ws_transport::async_read(beast::flat_buffer& buffer, io_handler handler) {
    std::visit([&](auto& ws) { ws.async_read(buffer, on_executor(get_executor(), std::move(handler))); }, ws_);
}

void ws_transport::async_write(net::const_buffer data, bool text, io_handler handler) {
    std::visit(
        [&](auto& ws) {
            ws.text(text);
            ws.async_write(data, on_executor(get_executor(), std::move(handler)));
        },
        ws_);
}

void ws_transport::async_close(const websocket::close_reason& reason, done_handler handler) {
    std::visit([&](auto& ws) { ws.async_close(reason, on_executor(get_executor(), std::move(handler))); }, ws_);
}

bool ws_transport::got_text() const {
    return std::visit([](const auto& ws) { return ws.got_text(); }, ws_);
}

websocket::close_reason ws_transport::reason() const {
    return std::visit([](const auto& ws) { return ws.reason(); }, ws_);
}

tcp::socket& ws_transport::socket() {
    return std::visit([](auto& ws) -> tcp::socket& { return lowest_socket(ws); }, ws_);
}

}  // namespace wscam
