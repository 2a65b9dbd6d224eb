#include "server/io_pool.hpp"

namespace wscam {

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
    for (std::size_t i = 1; i < contexts_.size(); ++i) threads.emplace_back([c = contexts_[i].get()] { c->run(); });
    contexts_.front()->run();
    for (auto& t : threads) t.join();
}

void io_pool::stop() {
    for (auto& c : contexts_) c->stop();
}

void io_pool::release() { guards_.clear(); }

}  // namespace wscam
