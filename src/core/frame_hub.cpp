#include "core/frame_hub.hpp"

#include <algorithm>
#include <stdexcept>

namespace wscam {

frame_hub::frame_hub(std::string name) : name_(std::move(name)) {}

frame_ptr frame_hub::publish(std::vector<std::uint8_t> storage, std::size_t jpeg_size,
                             const frame_info& info) {
    std::shared_ptr<const sink_list> sinks;
    frame_ptr f;
    {
        std::lock_guard lock(mutex_);
        f = std::make_shared<const frame>(std::move(storage), jpeg_size, info, next_sequence_++,
                                          unix_now_us());
        latest_ = f;
        bytes_published_ += jpeg_size;
        sinks = sinks_;
    }
    // Outside the lock: a sink only posts to its own strand.
    for (const auto& entry : *sinks)
        if (auto sink = entry.sink.lock()) sink->on_frame(f);
    return f;
}

frame_ptr frame_hub::latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

void frame_hub::set_info(const stream_info& info) {
    std::lock_guard lock(mutex_);
    info_ = info;
}

stream_info frame_hub::info() const {
    std::lock_guard lock(mutex_);
    return info_;
}

bool frame_hub::set_status(const stream_status& s) {
    std::shared_ptr<const sink_list> sinks;
    {
        std::lock_guard lock(mutex_);
        if (status_.online == s.online && status_.reason == s.reason && status_.message == s.message) return false;
        status_ = s;
        sinks = sinks_;
    }
    for (const auto& entry : *sinks)
        if (auto sink = entry.sink.lock()) sink->on_status(s);
    return true;
}

stream_status frame_hub::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

frame_ptr frame_hub::subscribe(const std::shared_ptr<frame_sink>& sink) {
    frame_ptr latest;
    {
        std::lock_guard lock(mutex_);
        auto next = std::make_shared<sink_list>();
        next->reserve(sinks_->size() + 1);
        // Drop entries whose sessions ended without unsubscribing.
        for (const auto& entry : *sinks_)
            if (!entry.sink.expired()) next->push_back(entry);
        next->push_back({sink.get(), sink});
        sinks_ = std::move(next);
        latest = latest_;
    }
    demand_.notify_all();
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
    std::shared_ptr<const sink_list> sinks;
    {
        std::lock_guard lock(mutex_);
        sinks = sinks_;
    }
    std::size_t n = 0;
    for (const auto& entry : *sinks)
        if (auto sink = entry.sink.lock()) n += sink->viewers();
    return n;
}

bool frame_hub::wait_for_viewers(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    return demand_.wait(lock, stop, [this] { return !sinks_->empty(); });
}

std::vector<control_info> frame_hub::controls() const {
    return controllable_ ? controllable_->controls() : std::vector<control_info>{};
}

std::optional<std::string> frame_hub::set_control(const std::string& id, double value) {
    if (!controllable_) return "stream '" + name_ + "' has no controls";
    std::string error;
    const auto applied = controllable_->set_control(id, value, error);
    if (!applied) return error;
    std::shared_ptr<const sink_list> sinks;
    {
        std::lock_guard lock(mutex_);
        sinks = sinks_;
    }
    for (const auto& entry : *sinks)
        if (auto sink = entry.sink.lock()) sink->on_control_changed(id, *applied);
    return std::nullopt;
}

hub_counters frame_hub::counters() const {
    std::uint64_t frames = 0, bytes = 0;
    {
        std::lock_guard lock(mutex_);
        frames = next_sequence_ - 1;
        bytes = bytes_published_;
    }
    return {frames, bytes, viewer_count()};
}

bool stream_registry::valid_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::shared_ptr<frame_hub> stream_registry::add(const std::string& name) {
    if (!valid_name(name))
        throw std::invalid_argument("invalid stream name '" + name +
                                    "': use 1-64 letters, digits, '_' or '-'");
    std::lock_guard lock(mutex_);
    for (const auto& hub : hubs_)
        if (hub->name() == name) throw std::invalid_argument("duplicate stream name '" + name + "'");
    hubs_.push_back(std::make_shared<frame_hub>(name));
    return hubs_.back();
}

std::shared_ptr<frame_hub> stream_registry::find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    for (const auto& hub : hubs_)
        if (hub->name() == name) return hub;
    return nullptr;
}

std::vector<std::shared_ptr<frame_hub>> stream_registry::all() const {
    std::lock_guard lock(mutex_);
    return hubs_;
}

}  // namespace wscam
