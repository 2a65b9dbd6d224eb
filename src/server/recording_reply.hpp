#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "server/recording_routes.hpp"

namespace wscam {

// The answers the recordings API is made of (recording_routes.cpp): each logs its status
// through the request's `log` before it goes, and a HEAD request gets the headers alone.

/** A request's ?from= and ?to= (to defaults to now, from to the start of time), or why they are wrong. */
struct times {
    std::int64_t from = 0;
    std::int64_t to = 0;
    bool from_given = false;
    std::string error;  // for the 400
};
times time_range(std::string_view target, bool from_needed);

/** Hands `job` to the blocking pool: nullopt (the answer comes later), or 503 when it is full. */
std::optional<http::message_generator> run_later(const recording_request& r, const answer_later& later, slow_answer job,
                                                 bool urgent = false);
/** 503 with Retry-After: the blocking pool is full. */
http::message_generator busy(const recording_request& r);

/** An answer of bytes in memory (a picture). */
http::response<http::vector_body<std::uint8_t>> bytes_answer(const recording_request& r, std::vector<std::uint8_t> bytes,
                                                             std::string_view type);

/** A short text answer, never cached. */
http::message_generator text(const recording_request& r, http::status status, std::string body,
                             std::string_view type = "text/plain; charset=utf-8");

/**
 * Opens a recorded file for reading: a plain file only. No link is followed and a FIFO is never
 * waited on (O_NONBLOCK): the folder may hold what someone else put there (record::plain_file).
 */
bool open_plain(const std::filesystem::path& path, beast::file& f);

/**
 * Sends `f` (`size` bytes) whole, never cached: an export, unlinked already (the open descriptor
 * keeps it until written). `keep` is held until the answer is written or dropped.
 */
http::message_generator file_answer(const recording_request& r, beast::file f, std::uint64_t size, std::string_view type,
                                    const std::string& disposition, std::shared_ptr<const void> keep = {});

/**
 * Sends the MP4 at `path` (a plain file, else 404 "`what` is gone"), whole or one byte range
 * (206 with Content-Range; 416 past its end), with Accept-Ranges and no-cache (the file being
 * written grows), as `download_name` inline.
 */
http::message_generator ranged_file(const recording_request& r, const std::filesystem::path& path, const std::string& what,
                                    const std::string& download_name);

}  // namespace wscam
