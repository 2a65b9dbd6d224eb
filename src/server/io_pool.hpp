#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "server/beast.hpp"

namespace wscam {

/**
 * One single-threaded io_context per I/O thread. A connection lives on one of them for its
 * whole life, so its handlers never run concurrently without a strand, and a new frame
 * reaches all of a thread's viewers with one post (see viewer_group).
 */
class io_pool {
public:
    explicit io_pool(unsigned threads);

    /** The context for the next connection (round robin). */
    net::io_context& next();
    /** The first context: listeners, signals and timers of the server itself. */
    net::io_context& main() { return *contexts_.front(); }

    /** Runs every context; the caller's thread runs the first. Returns when all have stopped. */
    void run();
    /** Stops every context at once. */
    void stop();
    /** Lets the contexts finish once their work is done (drops the keep-alive guards). */
    void release();

private:
    std::vector<std::unique_ptr<net::io_context>> contexts_;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace wscam
