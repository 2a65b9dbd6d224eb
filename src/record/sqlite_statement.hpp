#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "record/sqlite_error.hpp"

namespace wscam::record {

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
