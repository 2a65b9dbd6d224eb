#include "core/frame_hub.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/text.hpp"

namespace wscam {

frame_hub::frame_hub(std::string name) : name_(std::move(name)) {}

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
        ++frames_published_;
        latest_ = f;
        bytes_published_ += jpeg_size;
        sinks = sinks_;
    }
    // Outside the lock: a sink only posts to its own strand.
    notify(*sinks, [&](frame_sink& sink) { sink.on_frame(f); });
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

void frame_hub::set_info(const stream_info& info) {
    auto clean = info;
    clean.source = sanitize_text(info.source);
    std::lock_guard lock(mutex_);
    info_ = std::move(clean);
}

stream_info frame_hub::info() const {
    std::lock_guard lock(mutex_);
    return info_;
}

bool frame_hub::set_status(const stream_status& s) {
    stream_status clean{s.online, sanitize_text(s.reason), sanitize_text(s.message), 0};
    std::shared_ptr<const sink_list> sinks;
    {
        std::lock_guard lock(mutex_);
        if (status_.online == clean.online && status_.reason == clean.reason && status_.message == clean.message)
            return false;
        clean.version = ++status_version_;
        status_ = clean;
        online_.store(clean.online, std::memory_order_release);
        sinks = sinks_;
    }
    notify(*sinks, [&](frame_sink& sink) { sink.on_status(clean); });
    return true;
}

stream_status frame_hub::status() const {
    std::lock_guard lock(mutex_);
    return status_;
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
    // Found just before the stream was removed: told at once, like those who were there.
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
    notify(*subscribers(), [&](frame_sink& sink) { n += sink.viewers(); });
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

void frame_hub::set_publish_gate(std::shared_ptr<publish_gate> gate) {
    std::lock_guard lock(mutex_);
    gate_ = std::move(gate);
}

std::shared_ptr<publish_gate> frame_hub::gate() const {
    std::lock_guard lock(mutex_);
    return gate_;
}

void frame_hub::remove(const std::string& reason) {
    const std::string why = reason.empty() ? "stream removed" : reason;
    std::shared_ptr<const sink_list> sinks;
    std::shared_ptr<publish_gate> gate;
    {
        std::lock_guard lock(mutex_);
        if (!removed_.empty()) return;
        removed_ = why;
        sinks = sinks_;
        gate = std::move(gate_);
    }
    if (gate) gate->close(why);
    notify(*sinks, [&](frame_sink& sink) { sink.on_removed(why); });
}

std::string frame_hub::removed() const {
    std::lock_guard lock(mutex_);
    return removed_;
}

void frame_hub::set_controllable(std::shared_ptr<controllable> c) {
    {
        std::lock_guard lock(mutex_);
        controllable_ = std::move(c);
    }
    controls_changed();
}

void frame_hub::clear_controllable(const controllable* c) {
    {
        std::lock_guard lock(mutex_);
        if (controllable_.get() != c) return;
        controllable_.reset();
    }
    controls_changed();
}

std::vector<control_info> frame_hub::controls() const {
    std::shared_ptr<controllable> c;
    {
        std::lock_guard lock(mutex_);
        c = controllable_;
    }
    return c ? c->controls() : std::vector<control_info>{};
}

void frame_hub::controls_changed() {
    auto update = std::make_shared<controls_update>();
    update->stream = name_;
    update->list = controls();
    const std::shared_ptr<const controls_update> shared = std::move(update);
    notify(*subscribers(), [&](frame_sink& sink) { sink.on_controls_update(shared); });
}

void frame_hub::control_changed(const std::string& id, double value) {
    notify(*subscribers(), [&](frame_sink& sink) { sink.on_control_changed(id, value); });
}

void frame_hub::set_control(const std::string& id, double value, control_callback done) {
    std::shared_ptr<controllable> source;
    {
        std::lock_guard lock(mutex_);
        source = controllable_;
    }
    if (!source) return done(control_result::failed("stream '" + name_ + "' has no controls"));
    const auto list = source->controls();
    const auto* c = find_control(list, id);
    if (!c) {
        std::string known;
        for (const auto& k : list) known += (known.empty() ? "" : ", ") + k.id;
        return done(control_result::failed("stream '" + name_ + "' has no control '" + id + "'" +
                                           (known.empty() ? std::string() : " (it has " + known + ")")));
    }
    std::string error;
    const auto v = validate_control_value(*c, value, error);
    if (!v) return done(control_result::failed(error));
    // Setting what is already in effect changes nothing: no device call, no broadcast. This is
    // also what stops two open pages from echoing each other's changes back and forth.
    if (*v == c->value) return done(control_result::applied(*v, false));
    source->set_control(id, *v, [weak = weak_from_this(), id, done = std::move(done)](const control_result& r) {
        if (r.ok && r.changed)
            if (auto self = weak.lock()) self->control_changed(id, r.value);
        done(r);
    });
}

hub_counters frame_hub::counters() const {
    std::uint64_t frames = 0, bytes = 0;
    {
        std::lock_guard lock(mutex_);
        frames = frames_published_;
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
    if (by_name_.contains(name)) throw std::invalid_argument("duplicate stream name '" + name + "'");
    hubs_.push_back(std::make_shared<frame_hub>(name));
    by_name_.emplace(name, hubs_.back());
    return hubs_.back();
}

std::shared_ptr<frame_hub> stream_registry::take(const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto found = by_name_.find(name);
    if (found == by_name_.end()) return nullptr;
    auto hub = found->second;
    by_name_.erase(found);
    std::erase(hubs_, hub);
    return hub;
}

std::shared_ptr<frame_hub> stream_registry::find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<frame_hub>> stream_registry::all() const {
    std::lock_guard lock(mutex_);
    return hubs_;
}

}  // namespace wscam
