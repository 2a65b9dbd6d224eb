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

// A refused connection that waits for its client to close; its slot is given back when the last
// handler lets go of it.
struct listener::refused_connection {
    refused_connection(tcp::socket socket, std::shared_ptr<std::atomic<std::size_t>> count)
        : stream(std::move(socket)), draining(std::move(count)) {}
    ~refused_connection() { draining->fetch_sub(1, std::memory_order_relaxed); }
    beast::tcp_stream stream;
    std::shared_ptr<std::atomic<std::size_t>> draining;
    std::array<char, 512> sink{};  // bytes nobody reads
};

namespace {

// At most this many refused connections wait (up to 1 s each) for their client to close; the
// others are closed at once. Each one holds a descriptor outside --max-connections, so a client
// that keeps its sockets open after the answer must not decide how many.
constexpr std::size_t max_draining = 64;

void close_at_once(tcp::socket socket, const std::string& answer) {
    beast::error_code ec;
    socket.non_blocking(true, ec);
    // What the client has sent already is read first: a close with unread bytes is a reset,
    // which may reach the client before it has read the answer. The answer is ~200 bytes into
    // an empty send buffer, so the write does not block.
    std::array<char, 4096> sink{};
    for (int i = 0; i < 4 && socket.read_some(net::buffer(sink), ec) > 0;) ++i;
    net::write(socket, net::buffer(answer), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
}

}  // namespace

void listener::refuse(tcp::socket socket, client_limits::refusal why, const std::string& key) {
    // Refused at once, before reading anything: a static answer, then the connection drains
    // (so the answer is not lost to a reset) for at most a second, or is closed at once.
    const bool per_address = why == client_limits::refusal::address_full;
    static const std::string address_full =
        canned_response("429 Too Many Requests", "too many connections from your address (see --max-connections-per-ip)\n");
    static const std::string server_full =
        canned_response("503 Service Unavailable", "server busy: connection limit reached (see --max-connections)\n");
    const std::string& answer = per_address ? address_full : server_full;
    std::uint64_t suppressed = 0;
    if (refusal_log_.allow(rate_limit::clock::now(), suppressed))
        spdlog::warn("connection refused peer={}: {}{}", peer_string(socket),
                     per_address ? "too many connections from " + key + " (--max-connections-per-ip " +
                                       std::to_string(state_->config().max_connections_per_ip) + ")"
                                 : std::string("server connection limit reached (--max-connections)"),
                     suppressed ? " (" + std::to_string(suppressed) + " more refused since)" : std::string());
    if (draining_->fetch_add(1, std::memory_order_relaxed) >= max_draining) {
        draining_->fetch_sub(1, std::memory_order_relaxed);
        return close_at_once(std::move(socket), answer);
    }
    auto c = std::make_shared<refused_connection>(std::move(socket), draining_);
    c->stream.expires_after(std::chrono::seconds(1));
    net::async_write(c->stream, net::buffer(answer), [c](beast::error_code ec, std::size_t) {
        if (ec) return;
        c->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        drain(c);
    });
}

void listener::drain(const std::shared_ptr<refused_connection>& c) {
    c->stream.async_read_some(net::buffer(c->sink), [c](beast::error_code ec, std::size_t) {
        if (!ec) drain(c);
    });
}

}  // namespace wscam
