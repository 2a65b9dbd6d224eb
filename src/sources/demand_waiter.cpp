#include "sources/demand_waiter.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace wscam {

std::shared_ptr<demand_waiter> demand_waiter::make(source_loop& loop, std::shared_ptr<stream> hub) {
    return std::make_shared<demand_waiter>(loop, std::move(hub));
}

demand_waiter::demand_waiter(source_loop& loop, std::shared_ptr<stream> hub)
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

}  // namespace wscam
