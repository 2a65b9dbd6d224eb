#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "record/sqlite_error.hpp"

namespace wscam::record {

/** Runs `sql`; sqlite_error "NAME FILE: SQLite's reason" (the name of the database: "events store"). */
inline void sqlite_exec(sqlite3* db, const char* sql, const std::string& name, const std::filesystem::path& file) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        const std::string why = error ? error : "unknown error";
        sqlite3_free(error);
        throw sqlite_error(name + " " + file.string() + ": " + why);
    }
}

/**
 * Opens (or makes) one of our databases the way both are used: WAL, so a listing never waits for
 * a row being written; synchronous=NORMAL; a 2 s busy timeout. Throws sqlite_error
 * "cannot open the NAME FILE: why".
 */
inline sqlite3* sqlite_open(const std::filesystem::path& file, const std::string& name) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
        const std::string why = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw sqlite_error("cannot open the " + name + " " + file.string() + ": " + why);
    }
    sqlite3_busy_timeout(db, 2000);
    try {
        sqlite_exec(db, "PRAGMA journal_mode=WAL", name, file);
        sqlite_exec(db, "PRAGMA synchronous=NORMAL", name, file);
    } catch (...) {
        sqlite3_close(db);
        throw;
    }
    return db;
}

/** A prepared statement, finalized when it goes: the recordings index's and the events store's. */
class sqlite_statement {
public:
    sqlite_statement(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw sqlite_error(std::string("cannot prepare a query: ") + sqlite3_errmsg(db));
    }
    ~sqlite_statement() { sqlite3_finalize(stmt_); }
    sqlite_statement(const sqlite_statement&) = delete;
    sqlite_statement& operator=(const sqlite_statement&) = delete;

    sqlite_statement& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    sqlite_statement& bind(int i, int v) { return bind(i, std::int64_t{v}); }
    sqlite_statement& bind(int i, double v) {
        sqlite3_bind_double(stmt_, i, v);
        return *this;
    }
    sqlite_statement& bind(int i, const std::string& v) {
        sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    /** A blob, copied by SQLite; an empty span binds NULL. */
    sqlite_statement& bind_blob(int i, std::span<const std::uint8_t> v) {
        if (v.empty())
            sqlite3_bind_null(stmt_, i);
        else
            sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT);
        return *this;
    }
    sqlite_statement& bind_null(int i) {
        sqlite3_bind_null(stmt_, i);
        return *this;
    }
    /** True while there is a row. */
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) throw sqlite_error(std::string("query failed: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
        return false;
    }
    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    double real(int column) const { return sqlite3_column_double(stmt_, column); }
    bool null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::string text(int column) const {
        const auto* p = sqlite3_column_text(stmt_, column);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))) : std::string();
    }
    std::vector<std::uint8_t> blob(int column) const {
        const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, column));
        return p ? std::vector<std::uint8_t>(p, p + sqlite3_column_bytes(stmt_, column)) : std::vector<std::uint8_t>();
    }

private:
    sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace wscam::record
