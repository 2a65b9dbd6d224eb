#include "core/blocking_work.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>
#include <future>
#include <thread>

namespace wscam {
namespace {

using namespace std::chrono_literals;

TEST(blocking_work, runs_jobs_off_the_callers_thread) {
    blocking_work pool(2, 4);
    std::promise<std::thread::id> ran;
    ASSERT_TRUE(pool.try_run([&] { ran.set_value(std::this_thread::get_id()); }));
    auto f = ran.get_future();
    ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
    EXPECT_NE(f.get(), std::this_thread::get_id());
}

TEST(blocking_work, refuses_what_does_not_fit_instead_of_queueing_it) {
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::atomic<int> started{0}, done{0};
    {
        blocking_work pool(1, 2);
        auto job = [&] {
            ++started;
            gate.wait();
            ++done;
        };
        ASSERT_TRUE(pool.try_run(job));
        while (started == 0) std::this_thread::sleep_for(1ms);  // the thread holds the first
        EXPECT_TRUE(pool.try_run(job));
        EXPECT_TRUE(pool.try_run(job));
        EXPECT_FALSE(pool.try_run(job)) << "a third waiting job was queued";
        EXPECT_EQ(pool.busy(), 3u);
        release.set_value();
        while (pool.busy() != 0) std::this_thread::sleep_for(1ms);
        EXPECT_EQ(done, 3);
        EXPECT_TRUE(pool.try_run(job)) << "room again once the jobs ran";
        while (pool.busy() != 0) std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(done, 4);
}

TEST(blocking_work, an_urgent_job_goes_ahead_of_those_waiting_and_finds_room_beyond_them) {
    // A DELETE by the control token's holder is not held up, nor refused, by viewers' exports.
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::atomic<int> started{0};
    std::mutex order_mutex;
    std::vector<char> order;
    {
        blocking_work pool(1, 2);
        ASSERT_TRUE(pool.try_run([&] {
            ++started;
            gate.wait();
        }));
        while (started == 0) std::this_thread::sleep_for(1ms);
        auto note = [&](char c) {
            return [&, c] {
                std::lock_guard lock(order_mutex);
                order.push_back(c);
            };
        };
        ASSERT_TRUE(pool.try_run(note('a')));
        ASSERT_TRUE(pool.try_run(note('b')));
        EXPECT_FALSE(pool.try_run(note('x'))) << "the queue is full for the rest";
        EXPECT_TRUE(pool.try_run(note('U'), true)) << "an urgent job was refused";
        release.set_value();
        while (pool.busy() != 0) std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(order, (std::vector<char>{'U', 'a', 'b'}));
}

TEST(blocking_work, drops_waiting_jobs_and_waits_for_running_ones_when_destroyed) {
    std::promise<void> release;
    std::shared_future<void> gate = release.get_future().share();
    std::atomic<int> started{0}, finished{0};
    auto keep = std::make_shared<int>(0);
    std::weak_ptr<int> kept = keep;
    std::thread releaser;
    {
        blocking_work pool(1, 4);
        ASSERT_TRUE(pool.try_run([&] {
            ++started;
            gate.wait();
            ++finished;
        }));
        while (started == 0) std::this_thread::sleep_for(1ms);
        ASSERT_TRUE(pool.try_run([&, keep] { ++started; }));
        keep.reset();
        releaser = std::thread([&] {
            std::this_thread::sleep_for(50ms);
            release.set_value();
        });
    }
    releaser.join();
    EXPECT_EQ(finished, 1) << "the destructor returned before the running job ended";
    EXPECT_EQ(started, 1) << "a waiting job ran after the pool was told to stop";
    EXPECT_TRUE(kept.expired()) << "a dropped job's captures were kept";
}

}  // namespace
}  // namespace wscam
