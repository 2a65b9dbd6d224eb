#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "record/segment_writer.hpp"
#include "record/sqlite_error.hpp"

struct sqlite3;

namespace wscam::record {

/** One recorded segment as the index knows it. */
struct segment_entry {
    std::string stream;
    std::string name;  // the file's name in the stream's folder: 20261207T063000.123456Z.mp4
    std::int64_t start_us = 0;
    std::int64_t end_us = 0;
    std::uint64_t frames = 0;
    std::uint64_t bytes = 0;
    record::codec codec = codec::mjpeg;
    int width = 0;
    int height = 0;
    bool writing = false;  // the segment being written: not in the index yet, its end still moves
    bool operator==(const segment_entry&) const = default;
};

/** The index cannot be opened or written: the path and SQLite's reason. */
using index_error = sqlite_error;

/**
 * The recordings' index: an SQLite database (index.sqlite3 in the recording folder) holding each
 * segment's times, size and format, so a listing or a time lookup opens no file. The files are
 * the truth and the index only a faster way to them: sync_folder() reads again (libavformat)
 * every file the index lacks or knows with another size, and drops the rows of files that are
 * gone; gaps are not stored but are the time between a stream's segments. Thread-safe (one
 * connection, one call at a time).
 */
class recording_index {
public:
    explicit recording_index(const std::filesystem::path& file);
    ~recording_index();
    recording_index(const recording_index&) = delete;
    recording_index& operator=(const recording_index&) = delete;

    /** Adds a segment, or replaces what the index knew of it. */
    void add(const segment_entry& e);
    void remove(const std::string& stream, const std::string& name);
    /** A stream's segments that overlap [from_us, to_us], oldest first: the first `limit` of them. */
    std::vector<segment_entry> list(const std::string& stream, std::int64_t from_us, std::int64_t to_us,
                                    std::size_t limit = SIZE_MAX) const;
    std::optional<segment_entry> find(const std::string& stream, const std::string& name) const;
    /** Streams with segments. */
    std::vector<std::string> streams() const;
    /** Every segment of every stream (what retention weighs). */
    std::vector<segment_entry> all() const;

    /**
     * Brings a stream's rows in line with its folder: files that are new or changed size are read
     * (read_segment), rows of files that are gone are dropped. Returns how many rows changed.
     */
    std::size_t sync_folder(const std::string& stream, const std::filesystem::path& folder);

private:
    void exec(const char* sql) const;

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    sqlite3* db_ = nullptr;
};

/**
 * A segment's facts read from the file itself with libavformat: its start from its name, its
 * end, pictures, codec and size from its packets. nullopt (and why) when it is no segment of ours
 * or does not play.
 */
std::optional<segment_entry> read_segment(const std::filesystem::path& file, std::string* why = nullptr);

/** A segment name's start time (20261207T063000.123456Z.mp4, optionally -N before .mp4); nullopt if it is not one. */
std::optional<std::int64_t> segment_start(std::string_view name);

}  // namespace wscam::record
