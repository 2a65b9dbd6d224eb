#pragma once

#include <memory>
#include <optional>

#include "server/beast.hpp"
#include "server/http_routes.hpp"
#include "server/shared_state.hpp"
#include "server/ws_transport.hpp"

namespace wscam {

/**
 * One HTTP connection, the transport only: tells TLS from plain by the first bytes (one port
 * speaks both), does the handshake, reads requests one after another (keep-alive) within the
 * header timeout, writes each answer http_routes decides (each write making progress within the
 * write timeout; slow answers come back from the blocking pool), and closes cleanly (TLS close_notify,
 * or FIN and a bounded drain). When a request becomes a viewer, publisher or MJPEG session, the
 * stream is handed over and this object lets go of it.
 */
class http_session : public closable, public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket socket, std::shared_ptr<shared_state> state, bool ws_only, client_limits::ticket ticket);
    ~http_session() override;

    void run();
    void shutdown() override;

private:
    using request = http::request<http::string_body>;

    /** Runs `f` on the stream the connection speaks: TLS after a handshake, else plain TCP. */
    template <class F>
    void with_stream(F&& f) {
        if (tls_)
            f(*tls_);
        else
            f(plain_);
    }
    beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : plain_; }

    void on_detect(beast::error_code ec, bool is_tls);
    void on_handshake(beast::error_code ec, std::size_t used);
    void do_read();
    void on_read(beast::error_code ec, std::size_t bytes);
    void answer(request req);
    /** Runs `work` on the blocking pool and sends its answer from this connection's thread; false when the pool is full. */
    bool answer_later(http_routes::slow_answer work, bool urgent);
    /** Gives back the slow slot of the answer written (or abandoned), if one is held. */
    void give_slow_slot();
    static http::message_generator internal_error();
    void send(http::message_generator msg);
    void write_next();
    void on_write(beast::error_code ec, std::size_t bytes);
    void do_close();
    void drain();
    upgraded_connection hand_over();

    beast::tcp_stream plain_;                     // moved into tls_ when the client speaks TLS
    net::any_io_executor executor_;               // the connection's thread, whatever the stream
    bool handed_over_ = false;                    // the stream now belongs to the session a request became
    std::optional<tls_stream> tls_;               // after the handshake, when the client spoke TLS
    std::shared_ptr<ssl::context> tls_context_;   // the certificate this connection was served
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::message_generator> outgoing_;  // the answer being written
    std::shared_ptr<shared_state> state_;
    bool joined_ = false;
    client_limits::ticket ticket_;
    bool slow_slot_ = false;  // a slow answer's slot, held from its queueing until it is written (its bytes are in memory)
    std::string peer_;
    http_routes routes_;
};

}  // namespace wscam
