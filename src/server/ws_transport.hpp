#pragma once

#include <boost/asio/any_completion_handler.hpp>

#include <memory>
#include <string_view>
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
 *
 * Every operation is defined in ws_transport.cpp and takes a type-erased completion handler:
 * Beast's WebSocket state machines are instantiated there once per transport, not in every
 * session that uses them (they were most of a cold build: PERFORMANCE.md, "Build time").
 * Handlers run on the socket's executor, as with a bound handler; the cost is one small
 * allocation per operation.
 */
class ws_transport {
public:
    using done_handler = net::any_completion_handler<void(beast::error_code)>;
    using io_handler = net::any_completion_handler<void(beast::error_code, std::size_t)>;

    ws_transport(std::variant<tcp::socket, tls_stream> stream, std::shared_ptr<ssl::context> tls_context);
    ~ws_transport();
    ws_transport(const ws_transport&) = delete;
    ws_transport& operator=(const ws_transport&) = delete;

    /** Server settings: timeouts, the largest message a peer may send, whole-message writes or not. */
    void configure(const websocket::stream_base::timeout& timeouts, std::size_t read_message_max, bool auto_fragment);
    /** Answers the upgrade `req` (Server: wscam; Sec-WebSocket-Protocol: `subprotocol` unless empty). */
    void async_accept(const http::request<http::string_body>& req, std::string_view subprotocol, done_handler handler);
    /** Reads one whole message into `buffer`; got_text() then says which kind it was. */
    void async_read(beast::flat_buffer& buffer, io_handler handler);
    /** Writes `data` (which must outlive the operation) as one text or binary message. */
    void async_write(net::const_buffer data, bool text, io_handler handler);
    void async_close(const websocket::close_reason& reason, done_handler handler);

    bool got_text() const;
    /** The close frame the peer sent, after a read ended with websocket::error::closed. */
    websocket::close_reason reason() const;

    /** The TCP socket under everything (options, waits, hard close). */
    tcp::socket& socket();
    net::any_io_executor get_executor() { return socket().get_executor(); }
    bool tls() const { return ws_.index() == 1; }

private:
    using plain_ws = websocket::stream<tcp::socket>;
    using secure_ws = websocket::stream<tls_stream>;

    std::shared_ptr<ssl::context> tls_context_;  // declared first: outlives the stream made with it
    std::variant<plain_ws, secure_ws> ws_;
};

}  // namespace wscam
