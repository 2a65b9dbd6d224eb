#include "core/stream.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/text.hpp"

namespace wscam {

stream::stream(std::string name) : name_(std::move(name)), hub_(std::make_shared<frame_hub>()) {}

void stream::set_info(const stream_info& info) {
    auto clean = info;
    clean.source = sanitize_text(info.source);
    std::lock_guard lock(mutex_);
    info_ = std::move(clean);
}

stream_info stream::info() const {
    std::lock_guard lock(mutex_);
    return info_;
}

bool stream::set_status(const stream_status& s) {
    stream_status clean{s.online, sanitize_text(s.reason), sanitize_text(s.message), 0};
    {
        std::lock_guard lock(mutex_);
        if (status_.online == clean.online && status_.reason == clean.reason && status_.message == clean.message)
            return false;
        clean.version = ++status_version_;
        status_ = clean;
        online_.store(clean.online, std::memory_order_release);
    }
    // After the change: a viewer that joins before this list is taken hears it; one that joins
    // after reads status() itself. Two changes may be told out of order: the version says which is newer.
    hub_->notify([&](frame_sink& sink) { sink.on_status(clean); });
    return true;
}

stream_status stream::status() const {
    std::lock_guard lock(mutex_);
    return status_;
}

hub_counters stream::counters() const {
    const auto published = hub_->published();
    return {published.frames, published.bytes, hub_->viewer_count()};
}

void stream::set_publish_gate(std::shared_ptr<publish_gate> gate) {
    std::lock_guard lock(mutex_);
    gate_ = std::move(gate);
}

std::shared_ptr<publish_gate> stream::gate() const {
    std::lock_guard lock(mutex_);
    return gate_;
}

void stream::remove(const std::string& reason) {
    const std::string why = reason.empty() ? "stream removed" : reason;
    std::shared_ptr<publish_gate> gate;
    {
        std::lock_guard lock(mutex_);
        if (!removed_.empty()) return;
        removed_ = why;
        gate = std::move(gate_);
    }
    if (gate) gate->close(why);
    hub_->remove(why);
}

std::string stream::removed() const {
    std::lock_guard lock(mutex_);
    return removed_;
}

void stream::set_controllable(std::shared_ptr<controllable> c) {
    {
        std::lock_guard lock(mutex_);
        controllable_ = std::move(c);
    }
    controls_changed();
}

void stream::clear_controllable(const controllable* c) {
    {
        std::lock_guard lock(mutex_);
        if (controllable_.get() != c) return;
        controllable_.reset();
    }
    controls_changed();
}

std::vector<control_info> stream::controls() const {
    std::shared_ptr<controllable> c;
    {
        std::lock_guard lock(mutex_);
        c = controllable_;
    }
    return c ? c->controls() : std::vector<control_info>{};
}

void stream::controls_changed() {
    auto update = std::make_shared<controls_update>();
    update->stream = name_;
    update->list = controls();
    const std::shared_ptr<const controls_update> shared = std::move(update);
    hub_->notify([&](frame_sink& sink) { sink.on_controls_update(shared); });
}

void stream::tell_viewers(std::shared_ptr<const std::string> message, bool lasting) {
    {
        std::lock_guard lock(mutex_);
        lasting_notice_ = lasting ? message : nullptr;
    }
    hub_->notify([&](frame_sink& sink) { sink.on_notice(message); });
}

std::shared_ptr<const std::string> stream::lasting_notice() const {
    std::lock_guard lock(mutex_);
    return lasting_notice_;
}

void stream::control_changed(const std::string& id, double value) {
    hub_->notify([&](frame_sink& sink) { sink.on_control_changed(id, value); });
}

void stream::set_control(const std::string& id, double value, control_callback done) {
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

bool stream_registry::valid_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::shared_ptr<stream> stream_registry::add(const std::string& name) {
    if (!valid_name(name))
        throw std::invalid_argument("invalid stream name '" + name +
                                    "': use 1-64 letters, digits, '_' or '-'");
    std::lock_guard lock(mutex_);
    if (by_name_.contains(name)) throw std::invalid_argument("duplicate stream name '" + name + "'");
    streams_.push_back(std::make_shared<stream>(name));
    by_name_.emplace(name, streams_.back());
    return streams_.back();
}

std::shared_ptr<stream> stream_registry::take(const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto found = by_name_.find(name);
    if (found == by_name_.end()) return nullptr;
    auto taken = found->second;
    by_name_.erase(found);
    std::erase(streams_, taken);
    return taken;
}

std::shared_ptr<stream> stream_registry::find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<stream>> stream_registry::all() const {
    std::lock_guard lock(mutex_);
    return streams_;
}

}  // namespace wscam
