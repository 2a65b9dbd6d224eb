#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>

#include "core/stream.hpp"
#include "sources/source_loop.hpp"

namespace wscam {

/**
 * Capture on demand without polling, for a source on a source_loop: wait() returns once the
 * stream has a viewer (at once when always_on). The hub's demand_watch wakes it by posting to
 * the loop when a viewer arrives or resumes; nobody watching costs nothing. Create with
 * make(), arm() when the source starts, disarm() when it stops; wait()/cancel() on the loop.
 */
class demand_waiter : public std::enable_shared_from_this<demand_waiter> {
public:
    static std::shared_ptr<demand_waiter> make(source_loop& loop, std::shared_ptr<stream> hub);
    demand_waiter(source_loop& loop, std::shared_ptr<stream> hub);

    void arm();
    void disarm();
    /** Ends a wait in progress (stop). */
    void cancel() { timer_.cancel(); }
    /** Returns when someone watches, or `stopping` is set (and cancel() called). */
    boost::asio::awaitable<void> wait(const std::atomic<bool>& stopping, bool always_on);

private:
    std::shared_ptr<stream> hub_;
    boost::asio::steady_timer timer_;
    bool seen_ = false;  // a wake came between a check and the wait: look again
    std::shared_ptr<demand_watch> watch_;
};

}  // namespace wscam
