#include "events/event_journal.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace wscam::events {

event_journal::event_journal(std::shared_ptr<event_store> store, event_retention keep)
    : store_(std::move(store)), keep_(keep), thread_([this](std::stop_token stop) { run(stop); }) {}

event_journal::~event_journal() {
    thread_.request_stop();
    wake_.notify_all();
}

void event_journal::deliver(const notice& n) {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= max_queued) {
        if (dropped_++ == 0) spdlog::error("events store {}: the disk is too slow, events are being dropped", store_->file().string());
        return;
    }
    queue_.push_back(n);
    wake_.notify_one();
}

void event_journal::set_retention(event_retention keep) {
    std::lock_guard lock(mutex_);
    keep_ = keep;
}

std::uint64_t event_journal::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

void event_journal::flush() {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void event_journal::run(std::stop_token stop) {
    auto next_clean = std::chrono::steady_clock::now();
    bool failing = false;
    std::unique_lock lock(mutex_);
    while (true) {
        if (std::chrono::steady_clock::now() >= next_clean) {
            const auto keep = keep_;
            lock.unlock();
            try {
                const auto now_us =
                    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
                if (const auto gone = store_->expire(now_us - keep.max_age_us, keep.max_bytes); gone > 0)
                    spdlog::info("events store: {} events past their age or size limit removed", gone);
            } catch (const std::exception& e) {
                spdlog::error("events store {}: retention failed: {}", store_->file().string(), e.what());
            }
            lock.lock();
            next_clean = std::chrono::steady_clock::now() + std::chrono::minutes(1);
        }
        if (queue_.empty()) {
            done_.notify_all();
            if (stop.stop_requested()) return;
            wake_.wait_until(lock, stop, next_clean, [this] { return !queue_.empty(); });
            continue;
        }
        auto n = std::move(queue_.front());
        queue_.pop_front();
        writing_ = true;
        lock.unlock();
        try {
            std::span<const std::uint8_t> jpeg;
            if (n.snapshot) jpeg = n.snapshot->jpeg();
            store_->put(n.event, jpeg);
            if (std::exchange(failing, false)) spdlog::info("events store {}: writing again", store_->file().string());
        } catch (const std::exception& e) {
            if (!std::exchange(failing, true))
                spdlog::error("events store {}: stream={} event {} not kept: {}", store_->file().string(), n.event.stream,
                              n.event.id, e.what());
        }
        lock.lock();
        writing_ = false;
    }
}

}  // namespace wscam::events
