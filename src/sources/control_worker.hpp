#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace wscam {

/**
 * Runs a source's slow control calls (device ioctls) on a thread of its own, one at a time,
 * so that an I/O thread never waits for a camera. At most `max_pending` jobs wait; beyond
 * that submit() refuses, and the viewer is told the camera is busy.
 */
class control_worker {
public:
    explicit control_worker(std::size_t max_pending = 16) : max_pending_(max_pending) {
        thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
    }
    ~control_worker() { stop(); }
    control_worker(const control_worker&) = delete;
    control_worker& operator=(const control_worker&) = delete;

    /**
     * Finishes the job in hand, drops the rest and joins the thread. Its owner calls it before
     * letting go, so the worker is never destroyed by its own thread (a job holding the last
     * reference to its owner would otherwise join itself).
     */
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopped_ = true;
            jobs_.clear();
        }
        thread_.request_stop();
        if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
    }

    /** Queues `job`; false when too many are waiting already or the worker stopped. */
    bool submit(std::function<void()> job) {
        {
            std::lock_guard lock(mutex_);
            if (stopped_ || jobs_.size() >= max_pending_) return false;
            jobs_.push_back(std::move(job));
        }
        cv_.notify_one();
        return true;
    }

private:
    void run(std::stop_token stop) {
        std::unique_lock lock(mutex_);
        while (cv_.wait(lock, stop, [this] { return !jobs_.empty(); })) {
            auto job = std::move(jobs_.front());
            jobs_.pop_front();
            lock.unlock();
            job();
            lock.lock();
        }
    }

    std::size_t max_pending_;
    std::mutex mutex_;
    std::condition_variable_any cv_;
    std::deque<std::function<void()>> jobs_;
    bool stopped_ = false;
    std::jthread thread_;  // last: stopped and joined before the queue goes away
};

}  // namespace wscam
