#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "events/motion_event.hpp"
#include "record/sqlite_error.hpp"

struct sqlite3;

namespace wscam::events {

/**
 * The events kept: an SQLite database (events.sqlite3 in --record-dir) of every event with the
 * snapshot of its peak (the JPEG, a blob: it goes when its row goes, and no file name is ever
 * built from an event). Apart from the recordings' index on purpose: that one is rebuilt from the
 * segment files when it is damaged, and events have no other copy. Thread-safe (one connection,
 * one call at a time). Throws record::sqlite_error.
 */
class event_store {
public:
    explicit event_store(const std::filesystem::path& file);
    ~event_store();
    event_store(const event_store&) = delete;
    event_store& operator=(const event_store&) = delete;

    /** Adds the event, or updates what the store knew of it (its end, peak, box, snapshot when given). */
    void put(const motion_event& e, std::span<const std::uint8_t> snapshot);
    /**
     * Events that overlap [from_us, to_us] (an ongoing one reaches to now), newest first, at most
     * `limit`; of one stream, or of all when `stream` is empty.
     */
    std::vector<motion_event> list(const std::string& stream, std::int64_t from_us, std::int64_t to_us, std::size_t limit) const;
    std::optional<motion_event> find(const std::string& stream, std::int64_t id) const;
    /** The event's snapshot JPEG; nullopt when there is no such event or it has none. */
    std::optional<std::vector<std::uint8_t>> snapshot(const std::string& stream, std::int64_t id) const;
    /**
     * Retention: removes events that ended before `before_us`, then the oldest while the
     * snapshots together pass `max_bytes` (0: no cap). Returns how many went.
     */
    std::size_t expire(std::int64_t before_us, std::uint64_t max_bytes);
    /** Events left open by a stop or crash end at their peak: what is known of them. Returns how many. */
    std::size_t close_unfinished();
    const std::filesystem::path& file() const { return file_; }

private:
    void exec(const char* sql) const;

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    sqlite3* db_ = nullptr;
};

}  // namespace wscam::events
