#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "core/stream.hpp"
#include "sources/coroutine_source.hpp"
#include "sources/demand_waiter.hpp"
#include "sources/io_contexts.hpp"
#include "sources/source_loop.hpp"

namespace wscam {

/**
 * What one kind of coroutine source does, for the shell (coroutine_source) to run: run() on the
 * loop, and the hooks start() and stop() call around it. run() and interrupt() run on the
 * loop's thread; the other hooks on the thread that called start() or stop().
 *
 * stop() sets `stopping`, then runs interrupt() on the loop: everything run() waits for must
 * end there or (cancelled_by::interrupt_and_cancellation) by Asio's terminal cancellation, and
 * run() must check `stopping` before each new wait. The demand waiter and the pause are the
 * shell's, and it ends their waits itself.
 */
class coroutine_source::body {
public:
    /** Whether the source works only while someone watches: then `demand` is armed from start() to stop(). */
    enum class on_demand : bool { no, yes };
    /**
     * How stop() reaches run()'s waits: through interrupt() alone (cancellation is ignored, so
     * that run() can still clean up, e.g. end a program, after stop), or through Asio's
     * cancellation as well (a wait it ends throws operation_aborted, which is no fault then).
     */
    enum class cancelled_by { interrupt, interrupt_and_cancellation };

    body(std::shared_ptr<stream> hub, const io_context_picker& io, on_demand demand, cancelled_by cancel);
    virtual ~body() = default;
    body(const body&) = delete;
    body& operator=(const body&) = delete;

    virtual std::string describe() const = 0;

protected:
    /** start(), before the coroutine: the stream's info, its first status, the first log line. */
    virtual void starting() {}
    /** The source's work until it ends for good or stops; a throw is a fault (the shell restarts it). */
    virtual boost::asio::awaitable<void> run() = 0;
    /** On the loop once stop() was called: end run()'s own waits (timers, sockets, a program). */
    virtual void interrupt() {}
    /** stop(), first. */
    virtual void on_stop() {}
    /** stop(), last: the coroutine has ended (or its context has stopped for good). */
    virtual void after_stop() {}

    /**
     * What starting() says for a source without a picture until it connects or runs something:
     * the stream's info (no size yet), its status down with `why`, and "source starting: …" in
     * the log, with `on_demand` (e.g. " (runs when someone watches)") unless always_on.
     */
    void announce_start(const std::string& why, bool always_on, const char* on_demand);

    /** Waits on the shell's timer, which stop() cancels; false once the source is stopping. */
    boost::asio::awaitable<bool> pause_until(std::chrono::steady_clock::time_point when);

    std::shared_ptr<stream> hub;
    std::atomic<bool> stopping{false};
    source_loop loop;                       // a server I/O context (or our own); outlives every timer on it
    std::shared_ptr<demand_waiter> demand;  // on_demand::yes only

private:
    friend class coroutine_source;
    /** run() under the rule that nothing ends a stream for good (see coroutine_source). */
    boost::asio::awaitable<void> supervised();

    const cancelled_by cancelled_by_;
    boost::asio::steady_timer pause_;  // pause_until(), and the backoff between runs
};

}  // namespace wscam
