#pragma once

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "sources/io_contexts.hpp"

namespace wscam {

/**
 * Where a source's coroutine runs: one of the server's I/O contexts (shared with viewers and
 * with other cameras), or, without a picker, a context on a thread of its own.
 *
 * stop() ends the coroutine from any thread: it runs the source's `interrupt` on the context
 * (close the camera's socket, cancel its timers), emits terminal cancellation (the coroutine's
 * current wait ends with operation_aborted, and every later one at once) and waits until the
 * coroutine has returned — unless the context no longer runs (the server has stopped), in
 * which case the context destroys the coroutine with itself; whatever the coroutine needs must
 * therefore be owned by it (e.g. a shared_ptr captured in the spawned lambda), not by the caller.
 */
class source_loop {
public:
    explicit source_loop(const io_context_picker& pick);
    ~source_loop();
    source_loop(const source_loop&) = delete;
    source_loop& operator=(const source_loop&) = delete;

    boost::asio::io_context& context() { return *ioc_; }

    /**
     * Runs `body()` (an awaitable<void>) on the context; `done` is called there with what
     * escaped it, if anything. Once only.
     */
    template <class Body>
    void spawn(Body body, std::function<void(std::exception_ptr)> done);

    /**
     * See the class comment. `interrupt` runs on the context before the cancellation; it may
     * run after stop() returned (when the coroutine had already ended), so it must own what it
     * touches. Idempotent.
     */
    void stop(std::function<void()> interrupt);

    /** True once stop() was called (any thread). */
    bool stopping() const { return stopping_.load(); }

private:
    void start_thread();

    std::unique_ptr<boost::asio::io_context> own_;  // no picker: ours, run by thread_
    boost::asio::io_context* ioc_;
    std::thread thread_;
    // Shared with the completion handler, which may run after this loop is gone (see above).
    struct shared {
        boost::asio::cancellation_signal cancel;
        std::promise<void> ended;
    };
    std::shared_ptr<shared> shared_ = std::make_shared<shared>();
    std::future<void> ended_ = shared_->ended.get_future();
    std::atomic<bool> stopping_{false};
    bool spawned_ = false;
};

}  // namespace wscam

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>

namespace wscam {

template <class Body>
void source_loop::spawn(Body body, std::function<void(std::exception_ptr)> done) {
    spawned_ = true;
    auto s = shared_;
    boost::asio::co_spawn(*ioc_, std::move(body),
                          boost::asio::bind_cancellation_slot(
                              s->cancel.slot(), [s, done = std::move(done)](std::exception_ptr e) {
                                  if (done) done(e);
                                  s->ended.set_value();
                              }));
    if (own_) start_thread();
}

}  // namespace wscam
