#include "motion/motion_watches.hpp"

namespace wscam::motion {

motion_watches::motion_watches(std::shared_ptr<stream_registry> registry, std::shared_ptr<events::event_fanout> outputs,
                               unsigned threads)
    : registry_(std::move(registry)), outputs_(std::move(outputs)), pool_(threads) {}

motion_watches::~motion_watches() { stop_all(); }

void motion_watches::apply(const std::map<std::string, settings>& wanted) {
    std::lock_guard lock(mutex_);
    asked_ = wanted;
    apply_asked();
}

void motion_watches::hold_until_told() {
    std::lock_guard lock(mutex_);
    holds_.hold_until_told();
}

void motion_watches::hold(const std::string& stream, bool hold) {
    std::lock_guard lock(mutex_);
    if (holds_.tell(stream, hold)) apply_asked();
}

bool motion_watches::runs(const std::string& stream) const {
    std::lock_guard lock(mutex_);
    return running_.contains(stream);
}

std::optional<watch_stats> motion_watches::stats(const std::string& stream) const {
    std::shared_ptr<motion_watch> w;
    {
        std::lock_guard lock(mutex_);
        const auto it = running_.find(stream);
        if (it == running_.end()) return std::nullopt;
        w = it->second;
    }
    return w->stats();
}

void motion_watches::stop_all() {
    std::lock_guard lock(mutex_);
    for (auto& [name, w] : running_) w->stop();
    running_.clear();
}

void motion_watches::apply_asked() {
    for (auto it = running_.begin(); it != running_.end();) {
        const auto w = asked_.find(it->first);
        const bool keep = w != asked_.end() && !holds_.held(it->first) && registry_->find(it->first) == it->second->source() &&
                          w->second == it->second->config();
        if (keep) {
            ++it;
        } else {
            it->second->stop();
            it = running_.erase(it);
        }
    }
    for (const auto& [name, s] : asked_) {
        if (running_.contains(name) || holds_.held(name)) continue;
        auto source = registry_->find(name);
        if (!source) continue;  // not served here (yet)
        auto w = std::make_shared<motion_watch>(source, s, outputs_, pool_);
        w->start();
        running_.emplace(name, std::move(w));
    }
}

}  // namespace wscam::motion
