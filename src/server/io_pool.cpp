#include "server/io_pool.hpp"

#include <spdlog/spdlog.h>

#include <mutex>

#include "core/rate_limit.hpp"

namespace wscam {
namespace {

// The last line of defence: a handler that throws must not take the server (and every other
// viewer) down. The exception has already unwound its handler, releasing that connection's
// references, so the offending connection closes; the thread logs and goes on serving.
void run_guarded(net::io_context& ioc) {
    static std::mutex log_mutex;
    static rate_limit log_limit{std::chrono::seconds(5)};
    for (;;) {
        try {
            ioc.run();
            return;
        } catch (const std::exception& e) {
            std::uint64_t suppressed = 0;
            std::lock_guard lock(log_mutex);
            if (log_limit.allow(rate_limit::clock::now(), suppressed))
                spdlog::error("I/O thread caught an exception from a handler, connection dropped: {}{}", e.what(),
                              suppressed ? fmt::format(" ({} more since the last report)", suppressed) : std::string());
        } catch (...) {
            spdlog::error("I/O thread caught a non-standard exception from a handler, connection dropped");
        }
    }
}

}  // namespace

io_pool::io_pool(unsigned threads) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) {
        // Concurrency hint 1: each context is run by one thread, so Asio can skip its locks.
        contexts_.push_back(std::make_unique<net::io_context>(1));
        guards_.push_back(net::make_work_guard(*contexts_.back()));
    }
}

net::io_context& io_pool::next() { return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()]; }

void io_pool::run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i) threads.emplace_back([c = contexts_[i].get()] { run_guarded(*c); });
    run_guarded(*contexts_.front());
    for (auto& t : threads) t.join();
}

void io_pool::stop() {
    for (auto& c : contexts_) c->stop();
}

void io_pool::release() { guards_.clear(); }

}  // namespace wscam
