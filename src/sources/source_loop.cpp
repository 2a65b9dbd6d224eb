#include "sources/source_loop.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/backoff.hpp"
#include "sources/source_status.hpp"

namespace wscam {

source_loop::source_loop(const io_context_picker& pick) {
    if (pick) {
        ioc_ = &pick();
    } else {
        own_ = std::make_unique<boost::asio::io_context>(1);
        ioc_ = own_.get();
    }
}

source_loop::~source_loop() { stop({}); }

void source_loop::start_thread() {
    thread_ = std::thread([this] { ioc_->run(); });
}

void source_loop::stop(std::function<void()> interrupt) {
    if (stopping_.exchange(true) || !spawned_) return;
    boost::asio::post(*ioc_, [s = shared_, interrupt = std::move(interrupt)] {
        if (interrupt) interrupt();
        s->cancel.emit(boost::asio::cancellation_type::terminal);
    });
    // A shared context that has stopped (the server is shutting down) will not run the
    // coroutine again: it is destroyed with the context. Nor can a handler on the context wait
    // for what the context would run after it.
    using namespace std::chrono_literals;
    if (ioc_->get_executor().running_in_this_thread()) return;
    auto waited = 0ms;
    while (ended_.wait_for(20ms) == std::future_status::timeout) {
        if (ioc_->stopped()) break;
        if ((waited += 20ms) == 10s) spdlog::warn("a source is slow to stop (still waiting after 10 s)");
    }
    if (own_) {
        own_->stop();
        thread_.join();
        // The interrupt may still be queued (the coroutine had already returned): it holds
        // its source's state, so it must run (or go) before that state can be freed.
        own_->restart();
        own_->poll();
    }
}

std::shared_ptr<demand_waiter> demand_waiter::make(source_loop& loop, std::shared_ptr<frame_hub> hub) {
    return std::make_shared<demand_waiter>(loop, std::move(hub));
}

demand_waiter::demand_waiter(source_loop& loop, std::shared_ptr<frame_hub> hub)
    : hub_(std::move(hub)), timer_(loop.context()) {}

void demand_waiter::arm() {
    watch_ = std::make_shared<demand_watch>([w = weak_from_this(), ex = timer_.get_executor()] {
        boost::asio::post(ex, [w] {
            if (auto self = w.lock()) {
                self->seen_ = true;
                self->timer_.cancel();
            }
        });
    });
    hub_->watch_demand(watch_);
}

void demand_waiter::disarm() {
    if (watch_) watch_->disarm();
}

boost::asio::awaitable<void> demand_waiter::wait(const std::atomic<bool>& stopping, bool always_on) {
    while (!stopping && !always_on && hub_->viewer_count() == 0) {
        if (seen_) {  // told between the check above and now: look again
            seen_ = false;
            continue;
        }
        timer_.expires_at(boost::asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        seen_ = false;
    }
}

boost::asio::awaitable<void> supervise(frame_hub& hub, const std::atomic<bool>& stopping,
                                       std::function<boost::asio::awaitable<void>()> run,
                                       std::function<boost::asio::awaitable<void>(std::chrono::milliseconds)> pause) {
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
        report_status(hub, false, "failed: " + why + "; restarting in " + std::to_string(delay.count()) + " ms");
        co_await pause(delay);
    }
}

boost::asio::awaitable<void> pause_on(boost::asio::steady_timer& timer, std::chrono::milliseconds delay) {
    timer.expires_after(delay);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

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

}  // namespace wscam
