#include "events/event_store.hpp"

#include <sqlite3.h>

#include "record/sqlite_statement.hpp"

namespace wscam::events {
namespace {

using record::sqlite_error;
using statement = record::sqlite_statement;

constexpr const char* columns = "stream, id, start_us, end_us, peak_us, score, box_x, box_y, box_w, box_h, width, height";

motion_event row(const statement& s) {
    motion_event e;
    e.stream = s.text(0);
    e.id = s.integer(1);
    e.start_us = s.integer(2);
    e.end_us = s.null(3) ? 0 : s.integer(3);
    e.peak_us = s.integer(4);
    e.score = s.real(5);
    e.box = {s.real(6), s.real(7), s.real(8), s.real(9)};
    e.width = static_cast<int>(s.integer(10));
    e.height = static_cast<int>(s.integer(11));
    return e;
}

}  // namespace

event_store::event_store(const std::filesystem::path& file) : file_(file), db_(record::sqlite_open(file, "events store")) {
    try {
        exec("CREATE TABLE IF NOT EXISTS events (stream TEXT NOT NULL, id INTEGER NOT NULL, start_us INTEGER NOT NULL, "
             "end_us INTEGER, peak_us INTEGER NOT NULL, score REAL NOT NULL, box_x REAL NOT NULL, box_y REAL NOT NULL, "
             "box_w REAL NOT NULL, box_h REAL NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, snapshot BLOB, "
             "PRIMARY KEY (stream, id))");
        exec("CREATE INDEX IF NOT EXISTS events_by_time ON events (start_us)");
        // A table of that name with other columns is no store of ours.
        exec("SELECT stream, id, start_us, end_us, peak_us, score, box_x, box_y, box_w, box_h, width, height, snapshot "
             "FROM events LIMIT 0");
    } catch (...) {
        sqlite3_close(db_);
        throw;
    }
}

event_store::~event_store() { sqlite3_close(db_); }

void event_store::exec(const char* sql) const { record::sqlite_exec(db_, sql, "events store", file_); }

void event_store::put(const motion_event& e, std::span<const std::uint8_t> snapshot) {
    std::lock_guard lock(mutex_);
    statement s(db_, "INSERT INTO events (stream, id, start_us, end_us, peak_us, score, box_x, box_y, box_w, box_h, width, "
                     "height, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream, id) DO UPDATE SET "
                     "end_us = excluded.end_us, peak_us = excluded.peak_us, score = excluded.score, box_x = excluded.box_x, "
                     "box_y = excluded.box_y, box_w = excluded.box_w, box_h = excluded.box_h, width = excluded.width, "
                     "height = excluded.height, snapshot = coalesce(excluded.snapshot, events.snapshot)");
    s.bind(1, e.stream).bind(2, e.id).bind(3, e.start_us);
    if (e.ongoing())
        s.bind_null(4);
    else
        s.bind(4, e.end_us);
    s.bind(5, e.peak_us).bind(6, e.score).bind(7, e.box.x).bind(8, e.box.y).bind(9, e.box.w).bind(10, e.box.h);
    s.bind(11, static_cast<std::int64_t>(e.width)).bind(12, static_cast<std::int64_t>(e.height)).bind_blob(13, snapshot);
    s.step();
}

std::vector<motion_event> event_store::list(const std::string& stream, std::int64_t from_us, std::int64_t to_us,
                                            std::size_t limit) const {
    std::lock_guard lock(mutex_);
    const std::string sql = std::string("SELECT ") + columns +
                            " FROM events WHERE (? = '' OR stream = ?) AND start_us <= ? AND (end_us IS NULL OR end_us >= ?) "
                            "ORDER BY start_us DESC, stream LIMIT ?";
    statement s(db_, sql.c_str());
    s.bind(1, stream).bind(2, stream).bind(3, to_us).bind(4, from_us);
    s.bind(5, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<motion_event> out;
    while (s.step()) out.push_back(row(s));
    return out;
}

std::optional<motion_event> event_store::find(const std::string& stream, std::int64_t id) const {
    std::lock_guard lock(mutex_);
    const std::string sql = std::string("SELECT ") + columns + " FROM events WHERE stream = ? AND id = ?";
    statement s(db_, sql.c_str());
    s.bind(1, stream).bind(2, id);
    if (!s.step()) return std::nullopt;
    return row(s);
}

std::optional<std::vector<std::uint8_t>> event_store::snapshot(const std::string& stream, std::int64_t id) const {
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT snapshot FROM events WHERE stream = ? AND id = ? AND snapshot IS NOT NULL");
    s.bind(1, stream).bind(2, id);
    if (!s.step()) return std::nullopt;
    return s.blob(0);
}

std::size_t event_store::expire(std::int64_t before_us, std::uint64_t max_bytes) {
    std::lock_guard lock(mutex_);
    std::size_t gone = 0;
    {
        statement s(db_, "DELETE FROM events WHERE end_us IS NOT NULL AND end_us < ?");
        s.bind(1, before_us);
        s.step();
        gone += static_cast<std::size_t>(sqlite3_changes(db_));
    }
    if (max_bytes == 0) return gone;
    // Newest first: keep while the running total fits, then drop the rest (oldest).
    statement sizes(db_, "SELECT start_us, coalesce(length(snapshot), 0) FROM events ORDER BY start_us DESC");
    std::uint64_t total = 0;
    std::optional<std::int64_t> cut;
    while (sizes.step()) {
        total += static_cast<std::uint64_t>(sizes.integer(1));
        if (total > max_bytes) {
            cut = sizes.integer(0);
            break;
        }
    }
    if (cut) {
        statement s(db_, "DELETE FROM events WHERE start_us <= ?");
        s.bind(1, *cut);
        s.step();
        gone += static_cast<std::size_t>(sqlite3_changes(db_));
    }
    return gone;
}

std::size_t event_store::close_unfinished() {
    std::lock_guard lock(mutex_);
    exec("UPDATE events SET end_us = peak_us WHERE end_us IS NULL");
    return static_cast<std::size_t>(sqlite3_changes(db_));
}

}  // namespace wscam::events
