#include "motion/detection_pool.hpp"

#include <spdlog/spdlog.h>

namespace wscam::motion {

detection_pool::detection_pool(unsigned threads) : next_tick_(std::chrono::steady_clock::now() + tick_every) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) threads_.emplace_back([this](std::stop_token stop) { work(stop); });
}

detection_pool::~detection_pool() {
    for (auto& t : threads_) t.request_stop();
    wake_.notify_all();
    threads_.clear();
}

void detection_pool::queue(const std::shared_ptr<job>& j) {
    if (j->running_) {
        j->again_ = true;
        return;
    }
    if (j->queued_) return;
    j->queued_ = true;
    ready_.push_back(j);
    wake_.notify_one();
}

void detection_pool::schedule(const std::shared_ptr<job>& j) {
    std::lock_guard lock(mutex_);
    queue(j);
}

void detection_pool::watch(const std::weak_ptr<job>& j) {
    std::lock_guard lock(mutex_);
    std::erase_if(watched_, [](const auto& w) { return w.expired(); });
    watched_.push_back(j);
}

void detection_pool::work(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    while (!stop.stop_requested()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= next_tick_) {
            next_tick_ = now + tick_every;
            std::erase_if(watched_, [](const auto& w) { return w.expired(); });
            for (const auto& w : watched_)
                if (auto j = w.lock()) {
                    j->tick_due_ = true;
                    queue(j);
                }
        }
        if (ready_.empty()) {
            wake_.wait_until(lock, stop, next_tick_, [this] { return !ready_.empty(); });
            continue;
        }
        auto j = std::move(ready_.front());
        ready_.pop_front();
        j->queued_ = false;
        j->running_ = true;
        const bool tick = std::exchange(j->tick_due_, false);
        lock.unlock();
        try {
            if (tick) j->tick();
            j->run();
        } catch (const std::exception& e) {
            spdlog::error("motion detection failed: {}", e.what());  // the job says which stream itself where it can
        }
        lock.lock();
        j->running_ = false;
        if (std::exchange(j->again_, false)) queue(j);
    }
}

}  // namespace wscam::motion
