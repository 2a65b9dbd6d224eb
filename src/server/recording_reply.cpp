#include "server/recording_reply.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/byte_range.hpp"
#include "server/http_reply.hpp"
#include "server/router.hpp"
#include "record/time_text.hpp"

#include <chrono>

namespace wscam {
namespace {

/**
 * A beast File that is one part of a file: size() is the part's length and reading starts at
 * its first byte, so http::basic_file_body sends the part (Beast 1.81's file body sends whole
 * files only).
 */
class file_part {
public:
    file_part() = default;
    file_part(beast::file f, std::uint64_t first, std::uint64_t length, std::shared_ptr<const void> keep = {})
        : file_(std::move(f)), length_(length), keep_(std::move(keep)) {
        beast::error_code ec;
        file_.seek(first, ec);
    }
    bool is_open() const { return file_.is_open(); }
    void close(beast::error_code& ec) { file_.close(ec); }
    void open(const char* path, beast::file_mode mode, beast::error_code& ec) { file_.open(path, mode, ec); }
    std::uint64_t size(beast::error_code& ec) const {
        ec = {};
        return length_;
    }
    std::uint64_t pos(beast::error_code& ec) const { return file_.pos(ec); }
    void seek(std::uint64_t offset, beast::error_code& ec) { file_.seek(offset, ec); }
    std::size_t read(void* buffer, std::size_t n, beast::error_code& ec) const { return file_.read(buffer, n, ec); }
    std::size_t write(const void*, std::size_t, beast::error_code& ec) {
        ec = beast::errc::make_error_code(beast::errc::operation_not_supported);
        return 0;
    }

private:
    mutable beast::file file_;
    std::uint64_t length_ = 0;
    std::shared_ptr<const void> keep_;  // held as long as the answer is (an export's disk reservation)
};
using file_part_body = http::basic_file_body<file_part>;

/** A file answer as it goes: with its body, or for HEAD the same headers and none (`length`: the body's). */
http::message_generator file_or_head(const recording_request& r, http::response<file_part_body> res, std::uint64_t length) {
    if (!r.head) return res;
    http::response<http::empty_body> head{res.result(), r.req->version()};
    for (const auto& field : res.base()) head.set(field.name_string(), field.value());
    head.content_length(length);
    head.keep_alive(r.req->keep_alive());
    return head;
}

}  // namespace

http::message_generator text(const recording_request& r, http::status status, std::string body, std::string_view type) {
    auto res = text_response(*r.req, status, std::move(body), type);
    res.set(http::field::cache_control, "no-store");
    r.log(status);
    no_body_for_head(res, r.head);
    return res;
}

/**
 * Opens a recorded file for reading: a plain file only. No link is followed and a FIFO is never
 * waited on (O_NONBLOCK): the folder may hold what someone else put there (record::plain_file).
 */
bool open_plain(const std::filesystem::path& path, beast::file& f) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return false;
    }
    f.native_handle(fd);
    return true;
}

/** Sends `file` whole (it is unlinked already: the open descriptor keeps it until the answer is written). */
http::message_generator file_answer(const recording_request& r, beast::file f, std::uint64_t size, std::string_view type,
                                    const std::string& disposition, std::shared_ptr<const void> keep) {
    http::response<file_part_body> res{http::status::ok, r.req->version()};
    beast::error_code ec;
    res.body().reset(file_part(std::move(f), 0, size, std::move(keep)), ec);
    finish_response(res, *r.req, type);
    res.set(http::field::content_disposition, disposition);
    res.set(http::field::cache_control, "no-store");
    return file_or_head(r, std::move(res), size);
}

http::message_generator ranged_file(const recording_request& r, const std::filesystem::path& path, const std::string& what,
                                    const std::string& download_name) {
    beast::error_code ec;
    beast::file f;
    if (!open_plain(path, f)) return text(r, http::status::not_found, what + " is gone\n");
    const auto size = f.size(ec);
    if (ec) return text(r, http::status::internal_server_error, "cannot read " + what + "\n");
    // An If-Range names a version of the file, and wscam sends no validators: none can match,
    // so the whole file goes (RFC 9110 13.1.5), never a part of another version.
    const auto range = r.req->count(http::field::if_range) ? byte_range{} : parse_byte_range((*r.req)[http::field::range], size);
    if (range.what == byte_range::kind::unsatisfiable) {
        auto res = text_response(*r.req, http::status::range_not_satisfiable, "the range lies outside the file\n");
        res.set(http::field::content_range, "bytes */" + std::to_string(size));
        r.log(res.result());
        no_body_for_head(res, r.head);
        return res;
    }
    const bool part = range.what == byte_range::kind::part;
    const std::uint64_t first = part ? range.first : 0, length = part ? range.length : size;
    http::response<file_part_body> res{part ? http::status::partial_content : http::status::ok, r.req->version()};
    res.body().reset(file_part(std::move(f), first, length), ec);
    finish_response(res, *r.req, "video/mp4");
    res.set(http::field::accept_ranges, "bytes");
    if (part)
        res.set(http::field::content_range,
                "bytes " + std::to_string(first) + "-" + std::to_string(first + length - 1) + "/" + std::to_string(size));
    // A finished file never changes; the one being written grows: browsers must ask again.
    res.set(http::field::cache_control, "no-cache");
    res.set(http::field::content_disposition, "inline; filename=\"" + download_name + "\"");
    r.log(res.result());
    return file_or_head(r, std::move(res), length);
}

times time_range(std::string_view target, bool from_needed) {
    times t;
    t.to = unix_now_us();
    for (auto [key, value] : {std::pair{"from", &t.from}, std::pair{"to", &t.to}}) {
        const auto text_value = query_value(target, key);
        if (text_value && text_value->empty()) continue;
        const auto parsed = text_value ? record::parse_time(*text_value) : std::nullopt;
        if (!parsed) {
            t.error = std::string(key) + ": give Unix seconds (1765000000) or ISO 8601 UTC (2026-12-07T06:30:00Z)\n";
            return t;
        }
        *value = *parsed;
    }
    t.from_given = !query_param(target, "from").empty();
    if (from_needed && !t.from_given) t.error = "from is needed: the start of the range (Unix seconds or ISO 8601 UTC)\n";
    else if (t.to < t.from) t.error = "to is before from\n";
    return t;
}

http::message_generator busy(const recording_request& r);

/** Hands `job` to the blocking pool: nullopt (the answer comes later), or 503 when it is full. */
std::optional<http::message_generator> run_later(const recording_request& r, const answer_later& later, slow_answer job,
                                                 bool urgent) {
    if (later(std::move(job), urgent)) return std::nullopt;
    return busy(r);
}

http::message_generator busy(const recording_request& r) {
    auto res = text_response(*r.req, http::status::service_unavailable,
                             "the server is busy with other exports; try again in a few seconds\n");
    res.set(http::field::retry_after, "5");
    r.log(res.result());
    no_body_for_head(res, r.head);
    return res;
}

/** An answer of bytes in memory (a picture). */
http::response<http::vector_body<std::uint8_t>> bytes_answer(const recording_request& r, std::vector<std::uint8_t> bytes,
                                                             std::string_view type) {
    http::response<http::vector_body<std::uint8_t>> res{http::status::ok, r.req->version()};
    const auto size = bytes.size();
    if (!r.head) res.body() = std::move(bytes);
    finish_response(res, *r.req, type);
    if (r.head) res.content_length(size);
    return res;
}

}  // namespace wscam
