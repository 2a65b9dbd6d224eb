#include "record/timelapses.hpp"

#include <spdlog/spdlog.h>

namespace wscam::record {

void timelapses::apply(const std::map<std::string, timelapse_settings>& asked, bool strict) {
    std::lock_guard lock(mutex_);
    asked_ = asked;
    apply_asked(strict);
}

void timelapses::hold_until_told() {
    std::lock_guard lock(mutex_);
    holds_.hold_until_told();
}

void timelapses::hold(const std::string& stream, bool hold) {
    std::lock_guard lock(mutex_);
    if (holds_.tell(stream, hold)) apply_asked(false);
}

bool timelapses::runs(const std::string& stream) const {
    std::lock_guard lock(mutex_);
    return running_.contains(stream);
}

void timelapses::stop_all() {
    std::lock_guard lock(mutex_);
    running_.clear();
}

void timelapses::apply_asked(bool strict) {
    std::map<std::string, timelapse_settings> wanted;
    for (const auto& [name, settings] : asked_)
        if (!holds_.held(name)) wanted.emplace(name, settings);
    for (auto it = running_.begin(); it != running_.end();) {
        const auto w = wanted.find(it->first);
        if (w == wanted.end() || registry_->find(it->first) != it->second.source || w->second != it->second.lapse->settings()) {
            if (w == wanted.end()) spdlog::info("stream={} timelapse stopped", it->first);
            it = running_.erase(it);  // closes its file
        } else {
            ++it;
        }
    }
    for (const auto& [name, settings] : wanted) {
        if (running_.contains(name)) continue;
        auto source = registry_->find(name);
        if (!source) continue;  // not served here (yet)
        try {
            auto lapse = std::make_unique<timelapse>(source, settings);
            running_.emplace(name, entry{std::move(source), std::move(lapse)});
        } catch (const segment_error& e) {
            if (strict) throw segment_error("stream " + name + ": cannot keep a timelapse: " + e.what());
            spdlog::error("stream={} cannot keep a timelapse: {}", name, e.what());
        }
    }
}

}  // namespace wscam::record
