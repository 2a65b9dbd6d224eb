#include "sources/source_loop.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

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

}  // namespace wscam
