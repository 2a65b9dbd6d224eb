#include "record/recordings.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "record/plain_file.hpp"
#include "record/recording_options.hpp"

namespace wscam::record {

recordings::recordings(std::shared_ptr<stream_registry> registry, feed_for h264)
    : registry_(std::move(registry)), h264_(std::move(h264)), cleaner_([this](std::stop_token stop) { clean(stop); }) {}

recordings::~recordings() {
    cleaner_.request_stop();
    cleaner_.join();
    stop_all();
}

void recordings::keep(std::map<std::string, keep_limits> limits, std::uint64_t folder_max_bytes) {
    {
        std::lock_guard lock(mutex_);
        keep_ = std::move(limits);
        folder_max_bytes_ = folder_max_bytes;
        clean_due_ = true;
    }
    clean_wake_.notify_all();
}

void recordings::clean(std::stop_token stop) {
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock(mutex_);
            clean_wake_.wait_for(lock, stop, std::chrono::minutes(1), [this] { return clean_due_; });
            clean_due_ = false;
        }
        if (stop.stop_requested()) return;
        try {
            clean_once();
        } catch (const std::exception& e) {
            spdlog::error("recordings: removing old segments failed: {}", e.what());
        }
    }
}

bool recordings::remove_segment(recording_index& index, const std::filesystem::path& folder, const segment_entry& s) {
    std::error_code ec;
    std::filesystem::remove(folder / s.stream / s.name, ec);
    if (ec) {
        spdlog::error("stream={} recording: cannot remove {}: {}", s.stream, s.name, ec.message());
        return false;
    }
    index.remove(s.stream, s.name);
    return true;
}

void recordings::clean_once() {
    std::shared_ptr<recording_index> index;
    std::filesystem::path folder;
    std::map<std::string, keep_limits> limits;
    std::uint64_t folder_max = 0;
    {
        std::lock_guard lock(mutex_);
        index = index_;
        folder = folder_;
        limits = keep_;
        folder_max = folder_max_bytes_;
    }
    if (!index) return;
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::map<std::string, std::pair<std::size_t, std::uint64_t>> removed;  // per stream: segments, bytes
    for (const auto& s : expired_segments(index->all(), limits, folder_max, now)) {
        if (!remove_segment(*index, folder, s)) continue;
        auto& r = removed[s.stream];
        ++r.first;
        r.second += s.bytes;
    }
    for (const auto& [stream, r] : removed)
        spdlog::info("stream={} recording: removed {} old segment(s), {} MiB (record_max_age, record_max_bytes, "
                     "record_dir_max_bytes)", stream, r.first, r.second >> 20);
}

void recordings::apply(const std::filesystem::path& folder, const std::map<std::string, recording_settings>& wanted,
                       bool strict) {
    std::lock_guard apply_lock(apply_mutex_);
    asked_folder_ = folder;
    asked_ = wanted;
    apply_asked(strict);
}

void recordings::hold_until_told() {
    std::lock_guard apply_lock(apply_mutex_);
    holds_.hold_until_told();
}

void recordings::hold(const std::string& stream, bool hold) {
    std::lock_guard apply_lock(apply_mutex_);
    if (!holds_.tell(stream, hold)) return;
    if (hold && asked_.contains(stream)) spdlog::info("stream={} not recorded here: another node of the cluster records it", stream);
    if (!asked_folder_.empty()) apply_asked(false);
}

bool recordings::records(const std::string& stream) const {
    std::lock_guard lock(mutex_);
    return running_.contains(stream);
}

void recordings::apply_asked(bool strict) {
    const auto& folder = asked_folder_;
    std::map<std::string, recording_settings> wanted;
    for (const auto& [name, settings] : asked_)
        if (!holds_.held(name)) wanted.emplace(name, settings);
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
            // Each finished segment goes into the index at once (the writer thread calls this).
            auto done = [this](const segment_entry& segment) {
                if (const auto index = this->index())
                    try {
                        index->add(segment);
                    } catch (const index_error& e) {
                        spdlog::error("stream={} recording: {}", segment.stream, e.what());
                    }
                {
                    std::lock_guard lock(mutex_);
                    clean_due_ = true;  // the new segment may put the stream over its caps
                }
                clean_wake_.notify_all();
            };
            auto rec = std::make_unique<recorder>(source, settings, std::move(feed), std::move(done));
            spdlog::info("stream={} recording to {} ({}, {} s segments)", name, settings.folder.string(),
                         to_string(settings.codec), settings.segment_length.count());
            std::lock_guard lock(mutex_);
            running_.emplace(name, entry{std::move(source), std::move(rec)});
        } catch (const segment_error& e) {
            if (strict) throw segment_error("stream " + name + ": cannot record: " + e.what());
            spdlog::error("stream={} cannot record: {}", name, e.what());
        }
    }
    // Nothing recorded and no recordings from before: no folder is made.
    std::error_code ec;
    if (!asked_.empty() || std::filesystem::is_directory(folder, ec)) index_folder(folder, strict);
}

namespace {

/**
 * Opens the index; one that cannot be read as ours (damaged, another program's table) is set
 * aside as index.sqlite3.broken-<time> and made again: the segments are the truth, and the
 * sync that follows reads them all back.
 */
std::shared_ptr<recording_index> open_index(const std::filesystem::path& file) {
    try {
        return std::make_shared<recording_index>(file);
    } catch (const index_error& e) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) throw;  // not there and cannot be made: the folder's fault
        auto aside = file;
        aside += ".broken-" + std::to_string(std::time(nullptr));
        std::filesystem::rename(file, aside, ec);
        if (ec) throw;
        for (const char* extra : {"-wal", "-shm"}) {
            auto side = file;
            side += extra;
            std::filesystem::remove(side, ec);
        }
        spdlog::warn("{}; set aside as {}, a new index is built from the segments", e.what(), aside.filename().string());
        return std::make_shared<recording_index>(file);
    }
}

}  // namespace

void recordings::index_folder(const std::filesystem::path& folder, bool strict) {
    try {
        if (!index() || folder != folder_) {
            std::filesystem::create_directories(folder);
            auto opened = open_index(folder / "index.sqlite3");
            std::lock_guard lock(mutex_);
            index_ = std::move(opened);
            folder_ = folder;
        }
        const auto idx = index();  // this thread alone replaces it
        std::size_t changed = 0;
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
            const auto name = entry.path().filename().string();
            std::error_code type_error;  // a planted link loop is skipped, not a failed start
            if (entry.is_directory(type_error) && stream_registry::valid_name(name))
                changed += idx->sync_folder(name, entry.path());
            else if (name.starts_with(".export-") && plain_file(entry.path()))
                std::filesystem::remove(entry.path(), ec);  // an export a crash left (they are unlinked once open)
        }
        if (changed) spdlog::info("recordings index {}: {} segment(s) read again from their files", (folder / "index.sqlite3").string(), changed);
    } catch (const std::exception& e) {  // index_error, std::filesystem::filesystem_error
        if (strict) throw index_error(e.what());
        spdlog::error("recordings index: {}", e.what());
    }
}

std::shared_ptr<recording_index> recordings::index() const {
    std::lock_guard lock(mutex_);
    return index_;
}

std::vector<segment_entry> recordings::segments(const std::string& stream, std::int64_t from_us, std::int64_t to_us,
                                               std::size_t limit) const {
    std::shared_ptr<recording_index> index;
    std::optional<segment_entry> open;
    {
        std::lock_guard lock(mutex_);
        index = index_;
        if (const auto it = running_.find(stream); it != running_.end()) open = it->second.rec->open_segment();
    }
    auto list = index ? index->list(stream, from_us, to_us, limit) : std::vector<segment_entry>{};
    if (list.size() < limit && open && open->end_us >= from_us && open->start_us <= to_us &&
        std::none_of(list.begin(), list.end(), [&](const segment_entry& e) { return e.name == open->name; }))
        list.push_back(*open);  // the newest: it goes last
    return list;
}

std::optional<std::int64_t> recordings::clip(const std::string& stream, bool start) {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(stream);
    if (it == running_.end()) return std::nullopt;
    return it->second.rec->clip(start);
}

std::optional<std::filesystem::path> recordings::segment_file(const std::string& stream, const std::string& name) const {
    std::filesystem::path folder;
    std::shared_ptr<recording_index> index;
    std::optional<segment_entry> open;
    {
        std::lock_guard lock(mutex_);
        folder = folder_;
        index = index_;
        if (const auto it = running_.find(stream); it != running_.end()) open = it->second.rec->open_segment();
    }
    if (!stream_registry::valid_name(stream) || !segment_start(name)) return std::nullopt;
    if ((open && open->name == name) || (index && index->find(stream, name))) return folder / stream / name;
    return std::nullopt;
}

std::vector<segment_entry> recordings::erase(const std::string& stream, std::int64_t from_us, std::int64_t to_us) {
    std::shared_ptr<recording_index> index;
    std::filesystem::path folder;
    {
        std::lock_guard lock(mutex_);
        index = index_;
        folder = folder_;
    }
    std::vector<segment_entry> gone;
    if (!index) return gone;
    for (const auto& s : index->list(stream, from_us, to_us)) {
        // Only segments holding a picture of [from, to): one that ends where the range starts
        // (or starts where it ends) only touches it (a review lost both neighbours of a segment).
        if (s.end_us <= from_us || s.start_us >= to_us) continue;
        if (remove_segment(*index, folder, s)) gone.push_back(s);
    }
    return gone;
}

std::filesystem::path recordings::folder() const {
    std::lock_guard lock(mutex_);
    return folder_;
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
