#pragma once

#include <atomic>
#include <memory>

#include "core/rate_limit.hpp"
#include "server/beast.hpp"
#include "server/io_pool.hpp"
#include "server/shared_state.hpp"

namespace wscam {

/** Accepts TCP connections on one endpoint and hands each to an http_session on the next I/O thread. */
class listener : public std::enable_shared_from_this<listener> {
public:
    /** `ws_only`: the second listener, which only upgrades to WebSocket viewers. Throws on bind failure. */
    listener(io_pool& pool, tcp::endpoint endpoint, std::shared_ptr<shared_state> state, bool ws_only);

    void run();
    void close();
    std::uint16_t port() const { return port_; }

private:
    void do_accept();
    void on_accept(beast::error_code ec, tcp::socket socket);
    void refuse(tcp::socket socket, client_limits::refusal why, const std::string& key);
    struct refused_connection;
    static void drain(const std::shared_ptr<refused_connection>& c);

    io_pool& pool_;
    tcp::acceptor acceptor_;
    net::steady_timer retry_timer_;
    std::shared_ptr<shared_state> state_;
    bool ws_only_;
    std::uint16_t port_ = 0;
    rate_limit refusal_log_{std::chrono::seconds(5)};
    /** Refused connections waiting for their client to close (at most max_draining; on the I/O threads). */
    std::shared_ptr<std::atomic<std::size_t>> draining_ = std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace wscam
