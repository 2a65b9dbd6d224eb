#include "server/listener.hpp"

#include <spdlog/spdlog.h>

#include "server/http_session.hpp"

namespace wscam {

std::string peer_string(const tcp::socket& s) {
    beast::error_code ec;
    auto ep = s.remote_endpoint(ec);
    if (ec) return "?";
    if (ep.address().is_v6()) return "[" + ep.address().to_string() + "]:" + std::to_string(ep.port());
    return ep.address().to_string() + ":" + std::to_string(ep.port());
}

namespace {

std::string canned_response(std::string_view status, std::string_view body) {
    return fmt::format("HTTP/1.1 {}\r\nServer: wscam\r\nConnection: close\r\nRetry-After: 10\r\n"
                       "Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{}",
                       status, body.size(), body);
}

}  // namespace

bool is_expected_disconnect(const beast::error_code& ec) {
    return ec == net::error::operation_aborted || ec == websocket::error::closed || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe || ec == http::error::end_of_stream ||
           ec == beast::error::timeout;
}

listener::listener(io_pool& pool, tcp::endpoint endpoint, std::shared_ptr<shared_state> state, bool ws_only)
    : pool_(pool), acceptor_(pool.main()), retry_timer_(pool.main()), state_(std::move(state)), ws_only_(ws_only) {
    beast::error_code ec;
    const auto where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
}

void listener::run() { do_accept(); }

void listener::close() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ec;
        self->acceptor_.close(ec);
        self->retry_timer_.cancel();
    });
}

void listener::do_accept() {
    // Each connection lives on one single-threaded io_context: its handlers never run concurrently.
    acceptor_.async_accept(pool_.next(), beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

void listener::on_accept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
        // Out of file descriptors and the like: back off instead of spinning.
        spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
        retry_timer_.expires_after(std::chrono::milliseconds(100));
        retry_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
            if (!e) self->do_accept();
        });
        return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    const auto peer = socket.remote_endpoint(ec);
    std::string key = "?";
    if (!ec) {
        const auto a = peer.address();
        if (a.is_v4()) key = client_key(a.to_v4().to_bytes());
        else key = client_key(a.to_v6().to_bytes());
    }
    auto ticket = state_->limits().admit(key);
    if (ticket)
        std::make_shared<http_session>(std::move(socket), state_, ws_only_, std::move(ticket))->run();
    else
        refuse(std::move(socket), ticket.why(), key);
    do_accept();
}

void listener::refuse(tcp::socket socket, client_limits::refusal why, const std::string& key) {
    // Refused at once, before reading anything: a static answer, then the connection drains
    // (so the answer is not lost to a reset) for at most a second.
    const bool per_address = why == client_limits::refusal::address_full;
    static const std::string address_full =
        canned_response("429 Too Many Requests", "too many connections from your address (see --max-connections-per-ip)\n");
    static const std::string server_full =
        canned_response("503 Service Unavailable", "server busy: connection limit reached (see --max-connections)\n");
    std::uint64_t suppressed = 0;
    if (refusal_log_.allow(rate_limit::clock::now(), suppressed))
        spdlog::warn("connection refused peer={}: {}{}", peer_string(socket),
                     per_address ? "too many connections from " + key + " (--max-connections-per-ip " +
                                       std::to_string(state_->config().max_connections_per_ip) + ")"
                                 : std::string("server connection limit reached (--max-connections)"),
                     suppressed ? " (" + std::to_string(suppressed) + " more refused since)" : std::string());
    auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
    stream->expires_after(std::chrono::seconds(1));
    net::async_write(*stream, net::buffer(per_address ? address_full : server_full),
                     [stream](beast::error_code ec, std::size_t) {
                         if (ec) return;
                         stream->socket().shutdown(tcp::socket::shutdown_send, ec);
                         drain(stream);
                     });
}

void listener::drain(const std::shared_ptr<beast::tcp_stream>& stream) {
    auto sink = std::make_shared<std::array<char, 512>>();  // bytes nobody reads
    stream->async_read_some(net::buffer(*sink), [stream, sink](beast::error_code ec, std::size_t) {
        if (!ec) drain(stream);
    });
}

}  // namespace wscam
