#include "codec/multipart_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace wscam {
namespace {

constexpr std::size_t max_header_block = 8 * 1024;
constexpr std::size_t max_header_lines = 64;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::string strip_dashes(std::string_view b) {
    while (b.size() > 2 && b.substr(0, 2) == "--") b.remove_prefix(2);
    return std::string(b);
}

// The delimiter is "--" + boundary (RFC 2046); servers disagree on whether the header's
// boundary already has the dashes, so strip them and search for exactly two.
std::string delimiter_for(std::string_view boundary) {
    std::string b = strip_dashes(boundary);
    if (b.size() > multipart_parser::max_boundary_chars)
        throw std::invalid_argument("the multipart boundary is " + std::to_string(b.size()) +
                                    " characters long; at most " +
                                    std::to_string(multipart_parser::max_boundary_chars) + " are allowed (RFC 2046)");
    return "--" + b;
}

}  // namespace

std::optional<std::string> multipart_parser::boundary_from_content_type(std::string_view ct) {
    const std::string l = lower(ct);
    if (l.find("multipart/") == std::string::npos) return std::nullopt;
    const auto pos = l.find("boundary=");
    if (pos == std::string::npos) return std::nullopt;
    std::string_view value = ct.substr(pos + 9);
    if (!value.empty() && value.front() == '"') {
        value.remove_prefix(1);
        value = value.substr(0, value.find('"'));
    } else {
        value = value.substr(0, value.find_first_of(" ;\t\r\n"));
    }
    if (value.empty()) return std::nullopt;
    return std::string(value);
}

multipart_parser::multipart_parser(std::string boundary, std::size_t max_part_bytes, part_callback on_part)
    : delimiter_(delimiter_for(boundary)), max_part_bytes_(max_part_bytes), on_part_(std::move(on_part)) {}

std::size_t multipart_parser::find_delimiter_end() {
    // The search keeps its partial match between calls: only bytes it has not seen are scanned.
    const auto end = delimiter_.scan(data() + scan_from_, size() - scan_from_);
    if (end == delimiter_search::npos) {
        scan_from_ = size();
        return std::string::npos;
    }
    const std::size_t found = scan_from_ + end;
    scan_from_ = 0;  // it starts over after the delimiter
    return found;
}

void multipart_parser::restart_search() {
    delimiter_.reset();
    scan_from_ = 0;
}

void multipart_parser::consume(std::size_t n) {
    pos_ += n;
    line_scan_from_ = 0;
}

std::size_t multipart_parser::find_line_end() {
    // Resumes where the last look stopped: a line fed a byte at a time is scanned once, not n times.
    const void* nl = line_scan_from_ < size() ? std::memchr(data() + line_scan_from_, '\n', size() - line_scan_from_) : nullptr;
    if (!nl) {
        line_scan_from_ = size();
        return std::string::npos;
    }
    line_scan_from_ = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nl) - data());
    return line_scan_from_;
}

void multipart_parser::feed(std::span<const std::uint8_t> bytes) {
    if (buf_.empty()) {
        // Nothing left over: parse the caller's bytes where they are, keep only the rest.
        pos_ = 0;
        in_ = bytes.data();
        in_size_ = bytes.size();
        while (process()) {
        }
        buf_.assign(data(), data() + size());
    } else {
        buf_.insert(buf_.end(), bytes.begin(), bytes.end());
        in_ = buf_.data();
        in_size_ = buf_.size();
        while (process()) {
        }
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    }
    in_ = nullptr;
    in_size_ = pos_ = 0;
}

void multipart_parser::clear_headers() {
    while (!headers_.empty()) spare_headers_.push_back(headers_.extract(headers_.begin()));
}

void multipart_parser::set_header(std::string_view name, std::string_view value) {
    const auto to_lower = [](std::string& s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    };
    if (spare_headers_.empty()) {
        headers_[lower(name)] = std::string(value);
        return;
    }
    // A node of an earlier part: its strings keep their capacity, so no allocation.
    auto node = std::move(spare_headers_.back());
    spare_headers_.pop_back();
    node.key().assign(name);
    to_lower(node.key());
    node.mapped().assign(value);
    auto result = headers_.insert(std::move(node));
    if (!result.inserted) {  // a repeated name: the last one wins
        result.position->second.assign(value);
        spare_headers_.push_back(std::move(result.node));
    }
}

// One function on purpose (115 lines): the parser's state machine, one case per state in the
// order a part's bytes come (boundary, headers, body), each case saying where it goes next.
bool multipart_parser::process() {
    switch (state_) {
    case state::seek_boundary: {
        // The delimiter, whatever extra dashes stand before it.
        const auto end = find_delimiter_end();
        if (end == std::string::npos) {
            consume(size());  // a delimiter begun here is remembered by the search, not by keeping bytes
            scan_from_ = 0;
            return false;
        }
        consume(end);
        state_ = state::after_boundary;
        return true;
    }
    case state::after_boundary: {
        // Rest of the boundary line: "--" closes the body, otherwise transport padding then newline.
        const auto nl = find_line_end();
        if (nl == std::string::npos) {
            if (size() > 256) {  // not a boundary line after all
                restart_search();
                state_ = state::seek_boundary;
                return true;
            }
            return false;
        }
        consume(nl + 1);
        clear_headers();
        header_lines_ = header_bytes_ = 0;
        state_ = state::headers;
        return true;
    }
    case state::headers: {
        const auto nl = find_line_end();
        if (nl == std::string::npos) {
            if (header_bytes_ + size() > max_header_block) {
                ++dropped_;
                restart_search();
                state_ = state::seek_boundary;
                return true;
            }
            return false;
        }
        // Every line counts, repeated names too: the block is bounded in lines and bytes.
        header_bytes_ += nl + 1;
        if (++header_lines_ > max_header_lines || header_bytes_ > max_header_block) {
            ++dropped_;
            restart_search();
            state_ = state::seek_boundary;
            return true;
        }
        std::string_view line(reinterpret_cast<const char*>(data()), nl);
        line = trim(line);
        if (line.empty()) {
            consume(nl + 1);
            restart_search();  // for the body's end, or the next boundary
            auto it = headers_.find("content-length");
            std::size_t len = 0;
            if (it != headers_.end()) {
                auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), len);
                if (ec != std::errc{} || p != it->second.data() + it->second.size()) it = headers_.end();
            }
            if (it != headers_.end() && len <= max_part_bytes_) {
                content_length_ = len;
                state_ = state::body_length;
            } else if (it != headers_.end()) {
                ++dropped_;  // announced too large: skip to the next boundary
                state_ = state::seek_boundary;
            } else {
                state_ = state::body_scan;
            }
            return true;
        }
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) set_header(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
        consume(nl + 1);
        return true;
    }
    case state::body_length: {
        if (size() < content_length_) return false;
        const std::span<const std::uint8_t> body(data(), content_length_);
        consume(content_length_);
        on_part_(body, headers_);
        // Whatever follows (CRLF, the boundary, or garbage from a wrong length) is resolved by the search.
        restart_search();
        state_ = state::seek_boundary;
        return true;
    }
    case state::body_scan: {
        // Without a length the part ends at the next line that holds the boundary.
        const auto after = find_delimiter_end();
        if (after == std::string::npos) {
            if (size() > max_part_bytes_ + delimiter_.delimiter().size() + 8) {
                ++dropped_;
                consume(size());  // the search goes on where it stopped, for the next boundary
                scan_from_ = 0;
                state_ = state::seek_boundary;
                return true;
            }
            return false;
        }
        const auto* d = data();
        std::size_t end = after - delimiter_.delimiter().size();
        while (end > 0 && d[end - 1] == '-') --end;
        if (end > 0 && d[end - 1] == '\n') --end;
        if (end > 0 && d[end - 1] == '\r') --end;
        const std::span<const std::uint8_t> body(d, end);
        consume(after);
        if (body.size() <= max_part_bytes_) on_part_(body, headers_);
        else ++dropped_;
        state_ = state::after_boundary;
        return true;
    }
    }
    return false;
}

}  // namespace wscam
