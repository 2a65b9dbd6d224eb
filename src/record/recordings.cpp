#include "record/recordings.hpp"

#include <spdlog/spdlog.h>

#include "record/recording_options.hpp"

namespace wscam::record {

recordings::recordings(std::shared_ptr<stream_registry> registry, feed_for h264)
    : registry_(std::move(registry)), h264_(std::move(h264)) {}

void recordings::apply(const std::map<std::string, recording_settings>& wanted, bool strict) {
    // Stopped first (outside the lock: closing a segment waits for the disk).
    std::map<std::string, entry> stopping;
    {
        std::lock_guard lock(mutex_);
        for (auto it = running_.begin(); it != running_.end();) {
            const auto w = wanted.find(it->first);
            const auto now = registry_->find(it->first);
            if (w == wanted.end() || now != it->second.source || w->second != it->second.rec->settings()) {
                stopping.insert(running_.extract(it++));
            } else {
                ++it;
            }
        }
    }
    for (auto& [name, e] : stopping) {
        e.rec.reset();
        if (!wanted.contains(name)) spdlog::info("stream={} recording stopped", name);
    }
    for (const auto& [name, settings] : wanted) {
        {
            std::lock_guard lock(mutex_);
            if (running_.contains(name)) continue;
        }
        auto source = registry_->find(name);
        if (!source) continue;  // not served here (yet)
        try {
            auto feed = settings.codec == codec::h264 ? h264_(source) : std::nullopt;
            auto rec = std::make_unique<recorder>(source, settings, std::move(feed));
            spdlog::info("stream={} recording to {} ({}, {} s segments)", name, settings.folder.string(),
                         to_string(settings.codec), settings.segment_length.count());
            std::lock_guard lock(mutex_);
            running_.emplace(name, entry{std::move(source), std::move(rec)});
        } catch (const segment_error& e) {
            if (strict) throw segment_error("stream " + name + ": cannot record: " + e.what());
            spdlog::error("stream={} cannot record: {}", name, e.what());
        }
    }
}

void recordings::stop_all() {
    std::map<std::string, entry> stopping;
    {
        std::lock_guard lock(mutex_);
        stopping.swap(running_);
    }
    stopping.clear();
}

std::size_t recordings::size() const {
    std::lock_guard lock(mutex_);
    return running_.size();
}

std::optional<recording_stats> recordings::stats(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(name);
    if (it == running_.end()) return std::nullopt;
    return it->second.rec->stats();
}

}  // namespace wscam::record
