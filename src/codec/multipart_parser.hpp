#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/delimiter_search.hpp"

namespace wscam {

/** Headers of one part, names in lower case. */
using part_headers = std::map<std::string, std::string>;

/**
 * Incremental parser for `multipart/x-mixed-replace` bodies (MJPEG over HTTP), fed with the
 * decoded body bytes in whatever pieces they arrive.
 *
 * Tolerant of what real cameras send: the boundary with or without a leading `--` (in the
 * header, in the body, or both), quoted or not; `\r\n` or bare `\n`; parts with or without
 * `Content-Length` (without it, a part ends at the next boundary; a wrong length is
 * detected and the parser resynchronises on the boundary). Parts over `max_part_bytes` are
 * dropped. Memory stays within max_part_bytes plus the boundary.
 *
 * Time stays linear in the bytes fed, whatever the camera chose as its boundary and however the
 * bytes are cut: the boundary is at most 70 characters (RFC 2046), and the boundary and
 * newline searches resume where they stopped, never scanning a byte twice.
 *
 * Nothing is copied or allocated per part once it runs: a part is handed out as a view of the
 * bytes where they are (in the caller's buffer when it arrived in one feed, else in the
 * parser's), and the header map's nodes are reused from one part to the next.
 */
class multipart_parser {
public:
    /** `body` is valid only during the call: a consumer that keeps it copies it. */
    using part_callback = std::function<void(std::span<const std::uint8_t> body, const part_headers& headers)>;

    /** Longest boundary RFC 2046 allows (without the delimiter's leading "--"). */
    static constexpr std::size_t max_boundary_chars = 70;

    /** Throws std::invalid_argument, saying why, for a boundary over max_boundary_chars. */
    multipart_parser(std::string boundary, std::size_t max_part_bytes, part_callback on_part);

    void feed(std::span<const std::uint8_t> data);

    std::uint64_t dropped() const { return dropped_; }  // oversized or malformed parts

    /** The `boundary` parameter of a Content-Type, unquoted; nullopt if not multipart or missing. */
    static std::optional<std::string> boundary_from_content_type(std::string_view content_type);

private:
    enum class state { seek_boundary, after_boundary, headers, body_length, body_scan };

    bool process();  // one step on the unconsumed input; false when it needs more bytes
    /** The delimiter's end in unconsumed input, resuming where the last search stopped; npos if not yet. */
    std::size_t find_delimiter_end();
    void restart_search();  // the next search begins at the unconsumed input
    std::size_t find_line_end();  // the next newline of unconsumed input, resuming where the last look stopped
    void consume(std::size_t n);  // drops the first n bytes of unconsumed input
    std::size_t size() const { return in_size_ - pos_; }      // unconsumed bytes
    const std::uint8_t* data() const { return in_ + pos_; }
    void clear_headers();
    void set_header(std::string_view name, std::string_view value);

    delimiter_search delimiter_;  // "--" + the boundary without its own leading dashes
    std::size_t max_part_bytes_;
    part_callback on_part_;
    state state_ = state::seek_boundary;
    // Input being parsed: the caller's bytes when nothing was left over from the last feed,
    // else buf_. Bytes before pos_ are consumed; what is left at the end of a feed() is kept
    // in buf_ (moved once per feed, so a part with many header lines costs one move, not one
    // per line).
    const std::uint8_t* in_ = nullptr;
    std::size_t in_size_ = 0;
    std::vector<std::uint8_t> buf_;
    std::size_t pos_ = 0;
    std::size_t header_lines_ = 0;   // lines of the current part's header block
    std::size_t header_bytes_ = 0;   // bytes of the current part's header block
    std::size_t scan_from_ = 0;      // unconsumed bytes the delimiter search has already seen
    std::size_t line_scan_from_ = 0; // where the next newline search resumes (boundary line, headers)
    part_headers headers_;
    std::vector<part_headers::node_type> spare_headers_;  // nodes of earlier parts, reused
    std::size_t content_length_ = 0;
    std::uint64_t dropped_ = 0;
};

}  // namespace wscam
