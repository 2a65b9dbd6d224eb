#pragma once

#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include "server/beast.hpp"
#include "server/client_limits.hpp"

namespace wscam {

/** The TCP socket under a stream: a plain socket, or the one beneath TLS (and a WebSocket). */
template <class Stream>
tcp::socket& lowest_socket(Stream& s) {
    auto& lowest = beast::get_lowest_layer(s);
    if constexpr (std::is_same_v<std::decay_t<decltype(lowest)>, tcp::socket>)
        return lowest;
    else
        return lowest.socket();
}

/**
 * What an HTTP connection hands to the WebSocket session it becomes: the plain socket or the
 * TLS stream (after its handshake), the TLS context that stream was made with (kept alive
 * across certificate reloads), and the connection's place under the per-address limits.
 */
struct upgraded_connection {
    std::variant<tcp::socket, tls_stream> stream;
    std::shared_ptr<ssl::context> tls_context;
    client_limits::ticket ticket;
    std::string peer;
};

/**
 * A server-side WebSocket over either transport. Plain viewers stay straight on the socket
 * (no per-operation timer wrapper on the frame path); TLS goes through Beast's ssl_stream.
 * visit() runs a generic lambda on the WebSocket stream.
 */
class ws_transport {
public:
    ws_transport(std::variant<tcp::socket, tls_stream> stream, std::shared_ptr<ssl::context> tls_context)
        : tls_context_(std::move(tls_context)), ws_(make(std::move(stream))) {}

    template <class F>
    decltype(auto) visit(F&& f) {
        return std::visit(std::forward<F>(f), ws_);
    }

    /** The TCP socket under everything (options, waits, hard close). */
    tcp::socket& socket() {
        return std::visit([](auto& ws) -> tcp::socket& { return lowest_socket(ws); }, ws_);
    }
    net::any_io_executor get_executor() { return socket().get_executor(); }
    bool tls() const { return ws_.index() == 1; }

private:
    using plain_ws = websocket::stream<tcp::socket>;
    using secure_ws = websocket::stream<tls_stream>;

    static std::variant<plain_ws, secure_ws> make(std::variant<tcp::socket, tls_stream> s) {
        if (auto* plain = std::get_if<tcp::socket>(&s)) return std::variant<plain_ws, secure_ws>(std::in_place_index<0>, std::move(*plain));
        return std::variant<plain_ws, secure_ws>(std::in_place_index<1>, std::move(std::get<tls_stream>(s)));
    }

    std::shared_ptr<ssl::context> tls_context_;  // declared first: outlives the stream made with it
    std::variant<plain_ws, secure_ws> ws_;
};

}  // namespace wscam
