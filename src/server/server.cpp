#include "server/server.hpp"

#include <spdlog/spdlog.h>

#include <thread>
#include <vector>

#include "server/beast.hpp"
#include "server/io_pool.hpp"
#include "server/listener.hpp"
#include "server/shared_state.hpp"

namespace wscam {

struct server::impl {
    impl(server_config c, std::shared_ptr<stream_registry> s)
        : state(std::make_shared<shared_state>(std::move(c), std::move(s))),
          pool(threads()),
          grace_timer(pool.main()) {}

    unsigned threads() const {
        const unsigned wanted = state->config().threads;
        return wanted ? wanted : std::max(1u, std::thread::hardware_concurrency());
    }

    void begin_stop() {
        if (stopping) return;
        stopping = true;
        spdlog::info("shutting down: closing {} connection(s)", state->connection_count());
        for (auto& l : listeners) l->close();
        state->shutdown_all();
        pool.release();
        stop_deadline = std::chrono::steady_clock::now() + state->config().shutdown_grace;
        poll_stopped();
    }

    // Ends run() as soon as every connection is closed, or at the grace deadline.
    void poll_stopped() {
        if (state->connection_count() == 0 || std::chrono::steady_clock::now() >= stop_deadline) {
            if (state->connection_count() > 0)
                spdlog::warn("shutdown: {} connection(s) did not close in time", state->connection_count());
            pool.stop();
            return;
        }
        grace_timer.expires_after(std::chrono::milliseconds(10));
        grace_timer.async_wait([this](beast::error_code ec) {
            if (!ec) poll_stopped();
        });
    }

    std::shared_ptr<shared_state> state;
    io_pool pool;
    net::steady_timer grace_timer;
    std::optional<net::signal_set> signals;
    std::vector<std::shared_ptr<listener>> listeners;
    std::shared_ptr<listener> http_listener, ws_listener;
    std::chrono::steady_clock::time_point stop_deadline;
    bool stopping = false;  // touched only on the io_context (posted)
};

server::server(server_config config, std::shared_ptr<stream_registry> streams)
    : impl_(std::make_unique<impl>(std::move(config), std::move(streams))) {}

server::~server() = default;

void server::start() {
    const auto& c = impl_->state->config();
    beast::error_code ec;
    const auto address = net::ip::make_address(c.listen_address, ec);
    if (ec) throw std::runtime_error("invalid listen address '" + c.listen_address + "': " + ec.message());
    impl_->http_listener = std::make_shared<listener>(impl_->pool, tcp::endpoint{address, c.port}, impl_->state, false);
    impl_->listeners.push_back(impl_->http_listener);
    if (c.ws_port) {
        impl_->ws_listener = std::make_shared<listener>(impl_->pool, tcp::endpoint{address, *c.ws_port}, impl_->state, true);
        impl_->listeners.push_back(impl_->ws_listener);
    }
    for (auto& l : impl_->listeners) l->run();
}

std::uint16_t server::http_port() const { return impl_->http_listener ? impl_->http_listener->port() : 0; }

std::optional<std::uint16_t> server::ws_port() const {
    if (!impl_->ws_listener) return std::nullopt;
    return impl_->ws_listener->port();
}

void server::stop_on_signals() {
    impl_->signals.emplace(impl_->pool.main(), SIGINT, SIGTERM);
    impl_->signals->async_wait([this](beast::error_code ec, int signo) {
        if (ec) return;
        spdlog::info("received {}", signo == SIGINT ? "SIGINT" : "SIGTERM");
        impl_->signals->cancel();
        impl_->begin_stop();
    });
}

void server::run() { impl_->pool.run(); }

void server::stop() {
    net::post(impl_->pool.main(), [this] {
        if (impl_->signals) impl_->signals->cancel();
        impl_->begin_stop();
    });
}

server_stats server::stats() const { return impl_->state->stats(); }

}  // namespace wscam
