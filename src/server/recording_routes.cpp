#include "server/recording_routes.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

#include "core/json_text.hpp"
#include "record/recording_options.hpp"
#include "record/time_text.hpp"
#include "server/byte_range.hpp"
#include "server/http_reply.hpp"
#include "server/router.hpp"

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
    file_part(beast::file f, std::uint64_t first, std::uint64_t length) : file_(std::move(f)), length_(length) {
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
};
using file_part_body = http::basic_file_body<file_part>;

http::message_generator text(const recording_request& r, http::status status, std::string body,
                             std::string_view type = "text/plain; charset=utf-8") {
    auto res = text_response(r.req, status, std::move(body), type);
    res.set(http::field::cache_control, "no-store");
    r.log(status);
    if (r.head) {
        const auto size = res.body().size();
        res.body().clear();
        res.content_length(size);
    }
    return res;
}

double seconds(std::int64_t us) { return static_cast<double>(us) / 1e6; }

}  // namespace

http::message_generator recordings_list(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                        bool stream_exists) {
    const auto target = r.req.target();
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::int64_t from = 0, to = now;
    const bool from_given = !query_param(target, "from").empty();
    for (auto [key, value] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
        const auto text_value = query_param(target, key);
        if (text_value.empty()) continue;
        const auto t = record::parse_time(text_value);
        if (!t)
            return text(r, http::status::bad_request,
                        std::string(key) + ": give Unix seconds (1765000000) or ISO 8601 UTC (2026-12-07T06:30:00Z)\n");
        *value = *t;
    }
    if (to < from) return text(r, http::status::bad_request, "to is before from\n");
    const auto segments = recs ? recs->segments(r.stream, from, to) : std::vector<record::segment_entry>{};
    if (segments.empty() && !stream_exists)
        return text(r, http::status::not_found, "no stream or recordings named '" + r.stream + "'\n");

    nlohmann::json list = nlohmann::json::array(), gaps = nlohmann::json::array();
    // Gaps: the parts of [from, to] no segment covers (the camera was offline, or not recorded).
    constexpr std::int64_t tolerance_us = 500'000;
    // Without a `from`, the list starts at the first recording, not at a gap back to 1970.
    std::int64_t covered = from_given || segments.empty() ? from : segments.front().start_us;
    auto gap_until = [&](std::int64_t until) {
        if (until - covered > tolerance_us)
            gaps.push_back({{"start", seconds(covered)}, {"end", seconds(until)}, {"start_iso", record::iso_time(covered)},
                            {"end_iso", record::iso_time(until)}});
    };
    for (const auto& s : segments) {
        gap_until(s.start_us);
        covered = std::max(covered, s.end_us);
        list.push_back({{"name", s.name},
                        {"url", "/recordings/" + r.stream + "/" + s.name},
                        {"start", seconds(s.start_us)},
                        {"end", seconds(s.end_us)},
                        {"start_iso", record::iso_time(s.start_us)},
                        {"end_iso", record::iso_time(s.end_us)},
                        {"frames", s.frames},
                        {"bytes", s.bytes},
                        {"codec", std::string(record::to_string(s.codec))},
                        {"width", s.width},
                        {"height", s.height}});
    }
    gap_until(std::min(to, now));
    const nlohmann::json body = {{"stream", r.stream}, {"from", seconds(from)}, {"to", seconds(to)},
                                 {"segments", list},   {"gaps", gaps}};
    return text(r, http::status::ok, to_json_text(body), "application/json");
}

http::message_generator recording_file(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                       const std::string& segment) {
    const auto path = recs ? recs->segment_file(r.stream, segment) : std::nullopt;
    if (!path) return text(r, http::status::not_found, "stream '" + r.stream + "' has no segment " + segment + "\n");
    beast::error_code ec;
    beast::file f;
    f.open(path->c_str(), beast::file_mode::scan, ec);
    if (ec) return text(r, http::status::not_found, "segment " + segment + " is gone\n");
    const auto size = f.size(ec);
    if (ec) return text(r, http::status::internal_server_error, "cannot read segment " + segment + "\n");
    const auto range = parse_byte_range(r.req[http::field::range], size);
    if (range.what == byte_range::kind::unsatisfiable) {
        auto res = text_response(r.req, http::status::range_not_satisfiable, "the range lies outside the segment\n");
        res.set(http::field::content_range, "bytes */" + std::to_string(size));
        r.log(res.result());
        return res;
    }
    const bool part = range.what == byte_range::kind::part;
    const std::uint64_t first = part ? range.first : 0, length = part ? range.length : size;
    http::response<file_part_body> res{part ? http::status::partial_content : http::status::ok, r.req.version()};
    res.body().reset(file_part(std::move(f), first, length), ec);
    finish_response(res, r.req, "video/mp4");
    res.set(http::field::accept_ranges, "bytes");
    if (part)
        res.set(http::field::content_range,
                "bytes " + std::to_string(first) + "-" + std::to_string(first + length - 1) + "/" + std::to_string(size));
    // A finished segment never changes; the one being written grows: browsers must ask again.
    res.set(http::field::cache_control, "no-cache");
    res.set(http::field::content_disposition, "inline; filename=\"" + r.stream + "-" + segment + "\"");
    r.log(res.result());
    if (r.head) {
        http::response<http::empty_body> head{res.result(), r.req.version()};
        for (const auto& field : res.base()) head.set(field.name_string(), field.value());
        head.content_length(length);
        head.keep_alive(r.req.keep_alive());
        return head;
    }
    return res;
}

}  // namespace wscam
