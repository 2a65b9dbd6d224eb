#include "sources/coroutine_source.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "core/backoff.hpp"
#include "sources/coroutine_body.hpp"
#include "sources/source_status.hpp"

namespace wscam {
namespace {

namespace net = boost::asio;

/** The `done` of source_loop::spawn: logs what escaped the coroutine. */
std::function<void(std::exception_ptr)> log_source_end(std::string stream) {
    return [stream = std::move(stream)](std::exception_ptr e) {
        if (!e) return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            spdlog::error("stream={} source stopped: {}", stream, ex.what());
        } catch (...) {
            spdlog::error("stream={} source stopped by an unexpected error", stream);
        }
    };
}

}  // namespace

coroutine_source::body::body(std::shared_ptr<stream> h, const io_context_picker& io, on_demand d, cancelled_by c)
    : hub(std::move(h)), loop(io), demand(d == on_demand::yes ? demand_waiter::make(loop, hub) : nullptr),
      cancelled_by_(c), pause_(loop.context()) {}

void coroutine_source::body::announce_start(const std::string& why, bool always_on, const char* on_demand) {
    hub->set_info({0, 0, 0, describe()});
    hub->set_status(stream_status::down(why));
    spdlog::info("stream={} source starting: {}{}", hub->name(), describe(), always_on ? "" : on_demand);
}

net::awaitable<bool> coroutine_source::body::pause_until(std::chrono::steady_clock::time_point when) {
    pause_.expires_at(when);
    boost::system::error_code ec;
    co_await pause_.async_wait(net::redirect_error(net::use_awaitable, ec));
    co_return !stopping;
}

// The rule of every coroutine source: nothing ends a stream for good. When run() throws, the
// fault is reported on the stream ("failed: …; restarting in N ms"), then, after a pause (500 ms,
// doubling to 10 s), run() starts over. Returns when run() returns or once stopping is set
// (stop()'s cancellation is not a fault).
net::awaitable<void> coroutine_source::body::supervised() {
    if (cancelled_by_ == cancelled_by::interrupt)
        co_await net::this_coro::reset_cancellation_state(net::disable_cancellation());
    backoff retry(std::chrono::milliseconds(500), std::chrono::seconds(10));
    while (!stopping) {
        std::string why;
        try {
            co_await run();
            co_return;
        } catch (const std::exception& e) {
            why = e.what();
        }
        if (stopping) co_return;
        const auto delay = retry.next();
        report_status(*hub, false, "failed: " + why + "; restarting in " + std::to_string(delay.count()) + " ms");
        co_await pause_until(std::chrono::steady_clock::now() + delay);
    }
}

coroutine_source::coroutine_source(std::shared_ptr<body> b) : body_(std::move(b)) {}

coroutine_source::~coroutine_source() { stop(); }

void coroutine_source::start() {
    auto& b = *body_;
    b.starting();
    if (b.demand) b.demand->arm();
    // The coroutine owns the body: if the server's context stops first, it goes with the context.
    b.loop.spawn([self = body_]() { return self->supervised(); }, log_source_end(b.hub->name()));
    started_ = true;
}

void coroutine_source::stop() {
    auto& b = *body_;
    if (!started_ || b.stopping.exchange(true)) return;
    b.on_stop();
    if (b.demand) b.demand->disarm();
    // The interrupt may run after stop() returned (the coroutine had already ended): it owns the body.
    b.loop.stop([self = body_] {
        if (self->demand) self->demand->cancel();
        self->pause_.cancel();
        self->interrupt();
    });
    b.after_stop();
}

std::string coroutine_source::describe() const { return body_->describe(); }

}  // namespace wscam
