#include "server/server.hpp"

#include <spdlog/spdlog.h>

#include <malloc.h>

#include <thread>
#include <vector>

#include "server/beast.hpp"
#include "server/io_pool.hpp"
#include "server/listener.hpp"
#include "server/shared_state.hpp"
#include "server/viewer_group.hpp"
#include "mse/fmp4_renditions.hpp"
#include "transcode/h264_streams.hpp"
#include "server/tls/certificate_store.hpp"

namespace wscam {

struct server::impl {
    impl(server_config c, std::shared_ptr<stream_registry> s)
        : state(std::make_shared<shared_state>(std::move(c), std::move(s))),
          pool(threads()),
          grace_timer(pool.main()),
          trim_timer(pool.main()) {}

    unsigned threads() const {
        const unsigned wanted = state->config().threads;
        return wanted ? wanted : std::max(1u, std::thread::hardware_concurrency());
    }

    void begin_stop() {
        if (stopping) return;
        stopping = true;
        spdlog::info("shutting down: closing {} connection(s)", state->connection_count());
        for (auto& l : listeners) l->close();
        trim_timer.cancel();
        if (hangup) hangup->cancel();
        state->shutdown_all();
        state->h264().stop_all();  // each waits for the picture it is encoding, if any
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

    // glibc keeps freed memory in its arenas; after a burst of connections (or an attack) the
    // process would stay at its peak size. Give it back once closes have happened and gone quiet.
    void trim_memory_when_idle() {
        trim_timer.expires_after(std::chrono::seconds(2));
        trim_timer.async_wait([this](beast::error_code ec) {
            if (ec || stopping) return;
            const auto closed = state->take_closed();
            if (closed == 0 && closed_pending > 0) {
                ::malloc_trim(0);
                spdlog::debug("memory trimmed after {} closed connection(s)", closed_pending);
                closed_pending = 0;
            }
            closed_pending += closed;
            trim_memory_when_idle();
        });
    }

    void log_tls(const char* what) {
        const auto s = state->tls()->summary();
        spdlog::info("tls {}: {} ({} intermediate(s)), valid until {}{}", what, s.subject, s.chain_length, s.not_after,
                     s.expired ? " — EXPIRED: browsers will refuse it" : "");
    }

    std::shared_ptr<shared_state> state;
    io_pool pool;
    net::steady_timer grace_timer;
    net::steady_timer trim_timer;
    std::uint64_t closed_pending = 0;
    std::optional<net::signal_set> signals;
    std::optional<net::signal_set> hangup;
    std::function<void()> on_hangup;
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
    if (c.tls_key.empty() != c.tls_cert.empty()) throw config_error("--tls-cert and --tls-key go together");
    if (c.require_tls && !c.tls()) throw config_error("--require-tls needs --tls-cert and --tls-key");
    if (c.tls()) {
        try {
            impl_->state->set_tls(std::make_unique<tls::certificate_store>(c.tls_cert, c.tls_key));
        } catch (const std::exception& e) {
            throw config_error(e.what());
        }
        impl_->log_tls("certificate");
    }
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
    net::post(impl_->pool.main(), [this] { impl_->trim_memory_when_idle(); });
}

std::uint16_t server::http_port() const { return impl_->http_listener ? impl_->http_listener->port() : 0; }

std::optional<std::uint16_t> server::ws_port() const {
    if (!impl_->ws_listener) return std::nullopt;
    return impl_->ws_listener->port();
}

void server::stop_on_signals(std::function<void()> on_hangup) {
    impl_->on_hangup = std::move(on_hangup);
    impl_->signals.emplace(impl_->pool.main(), SIGINT, SIGTERM);
    impl_->signals->async_wait([this](beast::error_code ec, int signo) {
        if (ec) return;
        spdlog::info("received {}", signo == SIGINT ? "SIGINT" : "SIGTERM");
        impl_->signals->cancel();
        impl_->begin_stop();
    });
    impl_->hangup.emplace(impl_->pool.main(), SIGHUP);
    wait_for_hangup();
}

void server::wait_for_hangup() {
    impl_->hangup->async_wait([this](beast::error_code ec, int) {
        if (ec) return;
        spdlog::info("received SIGHUP");
        if (impl_->state->tls()) reload_tls();
        if (impl_->on_hangup)
            impl_->on_hangup();
        else if (!impl_->state->tls())
            spdlog::info("SIGHUP: nothing to reload (no --config, no --tls-cert)");
        wait_for_hangup();
    });
}

std::optional<std::string> server::reload_tls() {
    auto* store = impl_->state->tls();
    if (!store) return std::string("no TLS certificate configured");
    if (auto why = store->reload()) {
        spdlog::error("tls reload refused, keeping the certificate in use: {}", *why);
        return why;
    }
    impl_->state->certificate_names_changed();
    impl_->log_tls("certificate reloaded");
    return std::nullopt;
}

void server::run() { impl_->pool.run(); }

io_context_picker server::source_contexts() {
    return [pool = &impl_->pool]() -> net::io_context& { return pool->next(); };
}

void server::set_stream_access(stream_access_table table) { impl_->state->set_access(std::move(table)); }

std::shared_ptr<const stream_access_table> server::stream_access() const { return impl_->state->access(); }

void server::set_relayed_access(const std::string& stream, std::optional<relayed_access> access) {
    impl_->state->set_relayed_access(stream, std::move(access));
}

void server::set_recordings(std::shared_ptr<record::recordings> recordings) { impl_->state->set_recordings(std::move(recordings)); }

void server::set_motion_of(events::detection_lookup f) { impl_->state->set_motion_of(std::move(f)); }

void server::set_rtsp(rtsp_facts facts) { impl_->state->set_rtsp(std::move(facts)); }

std::shared_ptr<shared_state> server::state() { return impl_->state; }

void server::set_event_store(std::shared_ptr<events::event_store> store) { impl_->state->set_event_store(std::move(store)); }

void server::set_recordings_home(std::function<std::optional<std::pair<std::string, std::string>>(const std::string&)> home) {
    impl_->state->set_recordings_home(std::move(home));
}

std::shared_ptr<h264_stream> server::h264_rendition(const std::shared_ptr<stream>& s) {
    auto& h264 = impl_->state->h264();
    return h264.enabled() ? h264.for_stream(s, rendition::full) : nullptr;
}

void server::remove_stream(const std::string& name, const std::string& reason) {
    auto hub = impl_->state->streams().take(name);
    if (!hub) return;
    hub->remove(reason);
    for (const auto& units : impl_->state->h264().forget(hub.get())) impl_->state->groups().forget(units.get());
    for (const auto& segments : impl_->state->fmp4().forget(hub.get())) impl_->state->groups().forget(segments.get());
    impl_->state->groups().forget(hub->hub().get());
}

void server::stop() {
    net::post(impl_->pool.main(), [this] {
        if (impl_->signals) impl_->signals->cancel();
        impl_->begin_stop();
    });
}

void server::abandon() { impl_->pool.stop(); }

server_stats server::stats() const { return impl_->state->stats(); }

}  // namespace wscam
