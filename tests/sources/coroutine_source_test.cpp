// The shell every coroutine source runs in, with a body that does nothing but what a test asks.
#include "sources/coroutine_source.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "core/stream.hpp"
#include "sources/coroutine_body.hpp"

namespace wscam {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;

/** Fails its first `failures` runs, then waits for stop on a timer that only interrupt() ends. */
class scripted_body : public coroutine_source::body {
public:
    scripted_body(std::shared_ptr<stream> hub, int failures)
        : body(std::move(hub), {}, on_demand::no, cancelled_by::interrupt), failures_(failures), timer_(loop.context()) {}

    std::string describe() const override { return "scripted:"; }

    std::atomic<int> runs{0};
    std::atomic<int> interrupts{0};
    std::atomic<bool> started{false}, stopped_after{false};

private:
    void starting() override { started = true; }

    net::awaitable<void> run() override {
        if (++runs <= failures_) throw std::runtime_error("camera on fire");
        timer_.expires_at(net::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await timer_.async_wait(net::redirect_error(net::use_awaitable, ec));
    }

    void interrupt() override {
        ++interrupts;
        timer_.cancel();
    }

    void after_stop() override { stopped_after = true; }

    int failures_;
    net::steady_timer timer_;
};

struct scripted_source : coroutine_source {
    explicit scripted_source(std::shared_ptr<scripted_body> b) : coroutine_source(std::move(b)) {}
};

template <class Pred>
bool eventually(Pred pred) {
    for (int i = 0; i < 500 && !pred(); ++i) std::this_thread::sleep_for(10ms);
    return pred();
}

TEST(coroutine_source, a_fault_takes_the_stream_offline_with_the_reason_and_the_body_runs_again) {
    auto hub = std::make_shared<stream>("cam");
    auto body = std::make_shared<scripted_body>(hub, 1);
    scripted_source source(body);
    source.start();
    EXPECT_TRUE(body->started);
    EXPECT_TRUE(eventually([&] { return body->runs == 2; })) << "started over after the pause";
    EXPECT_EQ(hub->status().reason.rfind("failed: camera on fire; restarting in ", 0), 0u) << hub->status().reason;
    source.stop();
    EXPECT_EQ(body->interrupts, 1);
    EXPECT_TRUE(body->stopped_after);
    EXPECT_EQ(source.describe(), "scripted:");
}

TEST(coroutine_source, stop_ends_the_pause_between_runs_at_once) {
    auto hub = std::make_shared<stream>("cam");
    auto body = std::make_shared<scripted_body>(hub, 1000);
    scripted_source source(body);
    source.start();
    ASSERT_TRUE(eventually([&] { return body->runs == 2; }));  // the second pause: 1 s ± 30 %
    const auto before = std::chrono::steady_clock::now();
    source.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, 500ms) << "not the rest of the pause";
    EXPECT_EQ(body->runs, 2);
}

TEST(coroutine_source, stop_before_start_or_twice_does_nothing) {
    auto hub = std::make_shared<stream>("cam");
    auto body = std::make_shared<scripted_body>(hub, 0);
    scripted_source source(body);
    source.stop();
    EXPECT_FALSE(body->stopped_after) << "never started: nothing to stop";
    source.start();
    ASSERT_TRUE(eventually([&] { return body->runs == 1; }));
    source.stop();
    source.stop();
    EXPECT_EQ(body->interrupts, 1);
}

}  // namespace
}  // namespace wscam
