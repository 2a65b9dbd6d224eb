#include "record/recording_index.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "core/stream.hpp"
#include "record/plain_file.hpp"
#include "record/recording_options.hpp"
#include "record/sqlite_statement.hpp"

namespace wscam::record {
namespace {

using statement = sqlite_statement;

constexpr const char* columns = "stream, name, start_us, end_us, frames, bytes, codec, width, height";

segment_entry row(const statement& s) {
    return {s.text(0), s.text(1), s.integer(2), s.integer(3), static_cast<std::uint64_t>(s.integer(4)),
            static_cast<std::uint64_t>(s.integer(5)), parse_codec(s.text(6)).value_or(codec::mjpeg),
            static_cast<int>(s.integer(7)), static_cast<int>(s.integer(8))};
}

/**
 * Whether a row names a stream and a file the recorder could have made. The index is a file in
 * the folder: a row someone wrote there (../x, /etc/passwd) is never followed to a file.
 */
bool sound(const segment_entry& e) {
    return stream_registry::valid_name(e.stream) && segment_start(e.name).has_value();
}

bool digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

}  // namespace

std::optional<std::int64_t> segment_start(std::string_view name) {
    // 20261207T063000.123456Z[-N].mp4
    if (name.size() < 27 || name.size() > 32 || !name.ends_with(".mp4")) return std::nullopt;
    const auto stem = name.substr(0, name.size() - 4);
    if (!digits(stem.substr(0, 8)) || stem[8] != 'T' || !digits(stem.substr(9, 6)) || stem[15] != '.' ||
        !digits(stem.substr(16, 6)) || stem[22] != 'Z')
        return std::nullopt;
    if (stem.size() > 23 && (stem[23] != '-' || !digits(stem.substr(24)))) return std::nullopt;
    std::tm t{};
    t.tm_year = number(stem.substr(0, 4)) - 1900;
    t.tm_mon = number(stem.substr(4, 2)) - 1;
    t.tm_mday = number(stem.substr(6, 2));
    t.tm_hour = number(stem.substr(9, 2));
    t.tm_min = number(stem.substr(11, 2));
    t.tm_sec = number(stem.substr(13, 2));
    if (t.tm_mon > 11 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 || t.tm_min > 59 || t.tm_sec > 60)
        return std::nullopt;
    const std::time_t seconds = timegm(&t);
    return static_cast<std::int64_t>(seconds) * 1'000'000 + number(stem.substr(16, 6));
}

recording_index::recording_index(const std::filesystem::path& file) : file_(file), db_(sqlite_open(file, "recordings index")) {
    try {
        exec("CREATE TABLE IF NOT EXISTS segments (stream TEXT NOT NULL, name TEXT NOT NULL, start_us INTEGER NOT NULL, "
             "end_us INTEGER NOT NULL, frames INTEGER NOT NULL, bytes INTEGER NOT NULL, codec TEXT NOT NULL, "
             "width INTEGER NOT NULL, height INTEGER NOT NULL, PRIMARY KEY (stream, name)) WITHOUT ROWID");
        exec("CREATE INDEX IF NOT EXISTS segments_by_time ON segments (stream, start_us)");
        // A table of that name with other columns is no index of ours.
        exec("SELECT stream, name, start_us, end_us, frames, bytes, codec, width, height FROM segments LIMIT 0");
    } catch (...) {
        sqlite3_close(db_);
        throw;
    }
}

recording_index::~recording_index() { sqlite3_close(db_); }

void recording_index::exec(const char* sql) const { sqlite_exec(db_, sql, "recordings index", file_); }

void recording_index::add(const segment_entry& e) {
    std::lock_guard lock(mutex_);
    statement s(db_, "INSERT OR REPLACE INTO segments (stream, name, start_us, end_us, frames, bytes, codec, width, height) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, e.stream).bind(2, e.name).bind(3, e.start_us).bind(4, e.end_us).bind(5, static_cast<std::int64_t>(e.frames));
    s.bind(6, static_cast<std::int64_t>(e.bytes)).bind(7, std::string(to_string(e.codec))).bind(8, e.width).bind(9, e.height);
    s.step();
}

void recording_index::remove(const std::string& stream, const std::string& name) {
    std::lock_guard lock(mutex_);
    statement s(db_, "DELETE FROM segments WHERE stream = ? AND name = ?");
    s.bind(1, stream).bind(2, name);
    s.step();
}

std::vector<segment_entry> recording_index::list(const std::string& stream, std::int64_t from_us, std::int64_t to_us,
                                                 std::size_t limit) const {
    std::lock_guard lock(mutex_);
    statement s(db_, (std::string("SELECT ") + columns +
                      " FROM segments WHERE stream = ? AND end_us >= ? AND start_us <= ? ORDER BY start_us LIMIT ?").c_str());
    s.bind(1, stream).bind(2, from_us).bind(3, to_us).bind(4, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<segment_entry> out;
    while (s.step())
        if (auto e = row(s); sound(e)) out.push_back(std::move(e));
    return out;
}

std::optional<segment_entry> recording_index::find(const std::string& stream, const std::string& name) const {
    std::lock_guard lock(mutex_);
    statement s(db_, (std::string("SELECT ") + columns + " FROM segments WHERE stream = ? AND name = ?").c_str());
    s.bind(1, stream).bind(2, name);
    if (!s.step()) return std::nullopt;
    auto e = row(s);
    return sound(e) ? std::optional(std::move(e)) : std::nullopt;
}

std::vector<segment_entry> recording_index::all() const {
    std::lock_guard lock(mutex_);
    statement s(db_, (std::string("SELECT ") + columns + " FROM segments ORDER BY start_us").c_str());
    std::vector<segment_entry> out;
    while (s.step())
        if (auto e = row(s); sound(e)) out.push_back(std::move(e));
    return out;
}

std::vector<std::string> recording_index::streams() const {
    std::lock_guard lock(mutex_);
    statement s(db_, "SELECT DISTINCT stream FROM segments ORDER BY stream");
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
}

std::size_t recording_index::sync_folder(const std::string& stream, const std::filesystem::path& folder) {
    std::map<std::string, std::uint64_t> known;  // name -> bytes
    {
        std::lock_guard lock(mutex_);
        statement s(db_, "SELECT name, bytes FROM segments WHERE stream = ?");
        s.bind(1, stream);
        while (s.step()) known.emplace(s.text(0), static_cast<std::uint64_t>(s.integer(1)));
    }
    std::size_t changed = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const auto name = entry.path().filename().string();
        if (!segment_start(name) || !plain_file(entry.path())) continue;
        const auto size = entry.file_size(ec);
        const auto it = known.find(name);
        if (it != known.end()) {
            const bool same = it->second == size;
            known.erase(it);
            if (same) continue;
        }
        if (auto e = read_segment(entry.path())) {
            e->stream = stream;
            add(*e);
            ++changed;
        }
    }
    for (const auto& [name, bytes] : known) {  // their files are gone
        remove(stream, name);
        ++changed;
    }
    return changed;
}

}  // namespace wscam::record
