#include "core/frame_hub.hpp"

namespace wscam {

frame_ptr frame_hub::publish(std::vector<std::uint8_t> storage, std::size_t jpeg_size,
                             const frame_info& info) {
    return publish_as(std::move(storage), jpeg_size, info, std::nullopt);
}

frame_ptr frame_hub::publish_numbered(std::vector<std::uint8_t> storage, std::size_t jpeg_size,
                                      const frame_info& info, std::uint64_t sequence) {
    return publish_as(std::move(storage), jpeg_size, info, sequence);
}

frame_ptr frame_hub::publish_as(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info,
                                std::optional<std::uint64_t> sequence) {
    std::shared_ptr<const sink_list> sinks;
    frame_ptr f;
    {
        std::lock_guard lock(mutex_);
        const std::uint64_t number = sequence.value_or(next_sequence_);
        f = std::make_shared<const frame>(std::move(storage), jpeg_size, info, number, unix_now_us());
        next_sequence_ = number + 1;
        ++published_.frames;
        published_.bytes += jpeg_size;
        latest_ = f;
        sinks = sinks_;  // with latest_, under one lock: see the class comment
    }
    // Outside the lock: a sink only posts to its own strand.
    each(*sinks, [&](frame_sink& sink) { sink.on_frame(f); });
    return f;
}

std::shared_ptr<const frame_hub::sink_list> frame_hub::subscribers() const {
    std::lock_guard lock(mutex_);
    return sinks_;
}

frame_ptr frame_hub::latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

frame_hub::totals frame_hub::published() const {
    std::lock_guard lock(mutex_);
    return published_;
}

frame_ptr frame_hub::subscribe(const std::shared_ptr<frame_sink>& sink) {
    frame_ptr latest;
    std::string removed;
    std::shared_ptr<demand_watch> watch;
    {
        std::lock_guard lock(mutex_);
        removed = removed_;
        watch = demand_watch_;
        auto next = std::make_shared<sink_list>();
        next->reserve(sinks_->size() + 1);
        // Drop entries whose sessions ended without unsubscribing.
        for (const auto& entry : *sinks_)
            if (!entry.sink.expired()) next->push_back(entry);
        next->push_back({sink.get(), sink});
        sinks_ = std::move(next);
        latest = latest_;
    }
    // Found just before the hub ended: told at once, like those who were there.
    if (!removed.empty()) sink->on_removed(removed);
    demand_.notify_all();
    if (watch) watch->notify();
    return latest;
}

void frame_hub::unsubscribe(const frame_sink* sink) {
    std::lock_guard lock(mutex_);
    auto next = std::make_shared<sink_list>();
    next->reserve(sinks_->size());
    for (const auto& entry : *sinks_)
        if (entry.id != sink && !entry.sink.expired()) next->push_back(entry);
    sinks_ = std::move(next);
}

std::size_t frame_hub::viewer_count() const {
    std::size_t n = 0;
    notify([&](frame_sink& sink) { n += sink.viewers(); });
    return n;
}

void frame_hub::demand_changed() {
    std::shared_ptr<demand_watch> watch;
    {
        std::lock_guard lock(mutex_);  // a waiter is either before its check or already waiting
        watch = demand_watch_;
    }
    demand_.notify_all();
    if (watch) watch->notify();
}

void frame_hub::watch_demand(std::shared_ptr<demand_watch> watch) {
    std::lock_guard lock(mutex_);
    demand_watch_ = std::move(watch);
}

bool frame_hub::wait_for_viewers(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    return demand_.wait(lock, stop, [this] {
        // viewers() only reads an atomic, so asking the sinks under our lock is safe.
        for (const auto& entry : *sinks_)
            if (auto sink = entry.sink.lock(); sink && sink->viewers() > 0) return true;
        return false;
    });
}

bool frame_hub::remove(const std::string& reason) {
    const std::string why = reason.empty() ? "stream removed" : reason;
    std::shared_ptr<const sink_list> sinks;
    {
        std::lock_guard lock(mutex_);
        if (!removed_.empty()) return false;
        removed_ = why;
        sinks = sinks_;  // with removed_, under one lock: see the class comment
    }
    each(*sinks, [&](frame_sink& sink) { sink.on_removed(why); });
    return true;
}

std::string frame_hub::removed() const {
    std::lock_guard lock(mutex_);
    return removed_;
}

}  // namespace wscam
