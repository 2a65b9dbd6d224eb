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
    std::make_shared<http_session>(std::move(socket), state_, ws_only_)->run();
    do_accept();
}

}  // namespace wscam
