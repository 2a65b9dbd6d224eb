#include "core/blocking_work.hpp"

namespace wscam {

blocking_work::blocking_work(std::size_t threads, std::size_t max_waiting) : max_waiting_(max_waiting) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this](std::stop_token stop) { work(stop); });
}

blocking_work::~blocking_work() {
    for (auto& t : threads_) t.request_stop();
    wake_.notify_all();
    threads_.clear();  // joins: running jobs finish
}

bool blocking_work::try_run(std::function<void()> job, bool urgent) {
    {
        std::lock_guard lock(mutex_);
        if (waiting_.size() >= max_waiting_ + (urgent ? urgent_extra : 0)) return false;
        if (urgent)
            waiting_.push_front(std::move(job));
        else
            waiting_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

std::size_t blocking_work::busy() const {
    std::lock_guard lock(mutex_);
    return waiting_.size() + running_;
}

void blocking_work::work(std::stop_token stop) {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            if (!wake_.wait(lock, stop, [&] { return !waiting_.empty(); }) || stop.stop_requested()) return;
            job = std::move(waiting_.front());
            waiting_.pop_front();
            ++running_;
        }
        job();  // a job catches its own exceptions (it answers a request); one that escapes ends the server
        job = nullptr;  // its captures go before the pool counts it done
        std::lock_guard lock(mutex_);
        --running_;
    }
}

}  // namespace wscam
