#include "sources/control_worker.hpp"

#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace wscam {
namespace {

TEST(control_worker, runs_jobs_in_order_off_the_callers_thread_and_refuses_once_stopped) {
    control_worker worker(2);
    std::vector<int> order;
    std::mutex m;
    std::thread::id ran_on;
    std::promise<void> done;
    ASSERT_TRUE(worker.submit([&] { std::lock_guard l(m); order.push_back(1); ran_on = std::this_thread::get_id(); }));
    ASSERT_TRUE(worker.submit([&] { { std::lock_guard l(m); order.push_back(2); } done.set_value(); }));
    done.get_future().wait();
    EXPECT_EQ(order, (std::vector<int>{1, 2}));
    EXPECT_NE(ran_on, std::this_thread::get_id());
    worker.stop();
    EXPECT_FALSE(worker.submit([] {})) << "a stopped worker takes no more control calls";
}

}  // namespace
}  // namespace wscam
