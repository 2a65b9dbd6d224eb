#include "server/recording_routes.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "core/json_text.hpp"
#include "record/export_reservations.hpp"
#include "record/range_export.hpp"
#include "record/recorded_frames.hpp"
#include "record/recorded_still.hpp"
#include "record/recording_options.hpp"
#include "record/time_text.hpp"
#include "record/timelapse.hpp"
#include "server/byte_range.hpp"
#include "server/http_reply.hpp"
#include "server/recording_reply.hpp"
#include "server/request_log.hpp"
#include "server/router.hpp"

namespace wscam {
namespace {

double seconds(std::int64_t us) { return static_cast<double>(us) / 1e6; }

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/** Unix µs as a file name's part: 20261207T063000Z (no colons: every file system takes it). */
std::string file_time(std::int64_t us) {
    const auto iso = record::iso_time(us);  // 2026-12-07T06:30:00.123456Z
    std::string out;
    for (char c : iso.substr(0, 19))
        if (c != '-' && c != ':') out += c;
    return out + "Z";
}

}  // namespace

namespace {

constexpr std::size_t max_listed = 10'000;  // segments in one answer of the list (~3 MB of JSON); "more" says there are others

/** The list's JSON (made on the blocking pool: a long recording is many rows). */
http::message_generator list_answer(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                    const times& t) {
    const auto from = t.from, to = t.to;
    const auto now = now_us();
    auto segments = recs ? recs->segments(r.stream, from, to, max_listed + 1) : std::vector<record::segment_entry>{};
    const bool more = segments.size() > max_listed;
    if (more) segments.resize(max_listed);

    nlohmann::json list = nlohmann::json::array(), gaps = nlohmann::json::array();
    // Gaps: the parts of [from, to] no segment covers (the camera was offline, or not recorded).
    constexpr std::int64_t tolerance_us = 500'000;
    // Without a `from`, the list starts at the first recording, not at a gap back to 1970.
    std::int64_t covered = t.from_given || segments.empty() ? from : segments.front().start_us;
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
                        {"height", s.height},
                        {"writing", s.writing}});
    }
    if (!more && (t.from_given || !segments.empty())) gap_until(std::min(to, now));
    nlohmann::json body = {{"stream", r.stream}, {"from", seconds(from)}, {"to", seconds(to)},
                           {"segments", list},   {"gaps", gaps}};
    // Past max_listed: the next page starts just after this one's last segment ends (a page
    // from its end itself would list it again: a segment overlaps [from, to] at its end too).
    if (more) body["more"] = {{"from", seconds(segments.back().end_us + 1)}};
    nlohmann::json lapses = nlohmann::json::array();
    if (recs && !recs->folder().empty())
        for (const auto& f : record::timelapse_files(recs->folder() / r.stream / "timelapse"))
            lapses.push_back({{"name", f.name}, {"day", f.day}, {"part", f.part}, {"bytes", f.bytes},
                              {"url", "/recordings/" + r.stream + "/timelapse/" + f.name}});
    body["timelapse"] = std::move(lapses);
    return text(r, http::status::ok, to_json_text(body), "application/json");
}

}  // namespace

std::optional<http::message_generator> recordings_list(const recording_request& r,
                                                       const std::shared_ptr<record::recordings>& recs,
                                                       const answer_later& later) {
    const auto t = time_range(r.req->target(), false);
    if (!t.error.empty()) return text(r, http::status::bad_request, t.error);
    return run_later(r, later, [r, recs, t] { return list_answer(r, recs, t); });
}

http::message_generator recording_file(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                       const std::string& segment) {
    const auto path = recs ? recs->segment_file(r.stream, segment) : std::nullopt;
    if (!path) return text(r, http::status::not_found, "stream '" + r.stream + "' has no segment " + segment + "\n");
    return ranged_file(r, *path, "segment " + segment, r.stream + "-" + segment);
}

http::message_generator timelapse_file(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                       const std::string& name) {
    const auto folder = recs ? recs->folder() : std::filesystem::path{};
    if (folder.empty()) return text(r, http::status::not_found, "this server keeps no recordings\n");
    return ranged_file(r, folder / r.stream / "timelapse" / name, "timelapse " + name, r.stream + "-timelapse-" + name);
}

namespace {

constexpr std::uint64_t max_export_bytes = std::uint64_t{4} << 30;  // a day of H.264 VGA is ~23 GB: ask in parts
constexpr std::uint64_t export_disk_margin = std::uint64_t{256} << 20;  // left free for the recorders

/** `bytes` of the disk of `folder` for an export (record::export_reservations); null when there is no room. */
std::shared_ptr<const void> reserve_export(const std::filesystem::path& folder, std::uint64_t bytes) {
    static record::export_reservations reservations;  // one disk, one process
    std::error_code ec;
    const auto space = std::filesystem::space(folder, ec);
    if (ec) return nullptr;
    return reservations.reserve(bytes, space.available, export_disk_margin);
}



}  // namespace

std::optional<http::message_generator> recording_export(const recording_request& r,
                                                        const std::shared_ptr<record::recordings>& recs,
                                                        const answer_later& later) {
    const auto t = time_range(r.req->target(), true);
    if (!t.error.empty()) return text(r, http::status::bad_request, t.error);
    if (!recs) return text(r, http::status::not_found, "this server keeps no recordings\n");
    // The listing too runs on the pool: a long range is many rows.
    return run_later(r, later, [r, recs, from = t.from, to = t.to]() -> http::message_generator {
        constexpr std::size_t max_segments = 50'000;
        const auto segments = recs->segments(r.stream, from, to, max_segments + 1);
        if (segments.empty())
            return text(r, http::status::not_found, "stream '" + r.stream + "' has no recordings between " +
                                                        record::iso_time(from) + " and " + record::iso_time(to) + "\n");
        std::uint64_t bytes = 0;
        for (const auto& s : segments) bytes += s.bytes;
        if (bytes > max_export_bytes || segments.size() > max_segments)
            return text(r, http::status::payload_too_large,
                        "the range holds " + std::to_string(bytes >> 20) + " MiB of recordings; export at most " +
                            std::to_string(max_export_bytes >> 20) + " MiB at a time (a shorter range)\n");
        const auto folder = recs->folder();
        auto reservation = reserve_export(folder, bytes);
        if (!reservation)
            return text(r, http::status::insufficient_storage,
                        "not enough free disk beside the recordings and the exports being made to build this export; try "
                        "again later or a shorter range\n");
        std::vector<std::pair<std::filesystem::path, std::int64_t>> files;
        for (const auto& s : segments) files.emplace_back(folder / r.stream / s.name, s.start_us);
        // The name says the range asked, within what was recorded (an open end is not year 33658).
        const auto name = r.stream + "-" + file_time(std::max(from, segments.front().start_us)) + "-" +
                          file_time(std::min(to, segments.back().end_us)) + ".mp4";
        static std::atomic<std::uint64_t> serial{0};
        const auto temp = folder / (".export-" + std::to_string(::getpid()) + "-" + std::to_string(++serial) + ".mp4");
        struct remover {
            const std::filesystem::path& p;
            ~remover() {
                std::error_code ignored;
                std::filesystem::remove(p, ignored);
            }
        } remove_temp{temp};
        record::export_result result;
        try {
            result = record::export_range(files, from, to, temp);
        } catch (const record::export_error& e) {
            return text(r, http::status::not_found, std::string(e.what()) + "\n");
        } catch (const record::segment_error& e) {
            log_request(spdlog::level::err, "stream={} export failed: {}", r.stream, e.what());
            return text(r, http::status::internal_server_error, "the export failed (the server's log says why)\n");
        }
        beast::error_code bec;
        beast::file f;
        f.open(temp.c_str(), beast::file_mode::scan, bec);
        const auto size = bec ? 0 : f.size(bec);
        if (bec) return text(r, http::status::internal_server_error, "the export could not be read back\n");
        log_request(spdlog::level::info, "stream={} exported {} frame(s), {} KiB, {} to {}", r.stream, result.frames, size >> 10,
                     record::iso_time(result.first_us), record::iso_time(result.last_us));
        // The reservation goes with the answer: the unlinked file holds the disk until it is written.
        auto res = file_answer(r, std::move(f), size, "video/mp4", "attachment; filename=\"" + name + "\"", std::move(reservation));
        r.log(http::status::ok);
        return res;
    });
}

std::optional<http::message_generator> recording_snapshot(const recording_request& r,
                                                          const std::shared_ptr<record::recordings>& recs,
                                                          const answer_later& later) {
    const auto at_text = query_param(r.req->target(), "at");
    const auto at = record::parse_time(at_text);
    if (!at)
        return text(r, http::status::bad_request,
                    "at: give the time of the picture as Unix seconds (1765000000.5) or ISO 8601 UTC\n");
    // The segment on screen at that time: the newest that started before it. The one before it
    // too (ended within 2 s): a segment just begun has nothing on disk for about a second.
    const auto segments = recs ? recs->segments(r.stream, *at - 2'000'000, *at) : std::vector<record::segment_entry>{};
    std::vector<std::pair<std::filesystem::path, std::int64_t>> candidates;  // newest first
    for (auto it = segments.rbegin(); it != segments.rend() && candidates.size() < 2; ++it)
        if (it->start_us <= *at) candidates.emplace_back(recs->folder() / r.stream / it->name, it->start_us);
    if (candidates.empty())
        return text(r, http::status::not_found,
                    "stream '" + r.stream + "' has no recording at " + record::iso_time(*at) + "\n");
    return run_later(r, later, [r, candidates, at = *at]() -> http::message_generator {
        std::optional<record::still> picture;
        for (std::size_t i = 0; i < candidates.size() && !picture; ++i) {
            try {
                picture = record::still_at(candidates[i].first, candidates[i].second, at);
            } catch (const record::segment_gone&) {
                // deleted since it was listed: the one before it, if any
            } catch (const record::segment_error& e) {
                if (i == 0 && candidates.size() > 1) continue;  // the newest, still empty
                log_request(spdlog::level::err, "stream={} recorded picture failed: {}", r.stream, e.what());
                return text(r, http::status::internal_server_error, "the recording could not be read at that time\n");
            }
        }
        if (!picture)
            return text(r, http::status::not_found,
                        "stream '" + r.stream + "' has no recording at " + record::iso_time(at) + "\n");
        auto res = bytes_answer(r, std::move(picture->jpeg), "image/jpeg");
        // When the picture shown was captured: at most a frame before `at`.
        res.set("X-Capture-Time", record::iso_time(picture->capture_us));
        res.set(http::field::cache_control, "max-age=3600");  // the past does not change (until it is deleted)
        r.log(http::status::ok);
        return res;
    });
}

std::optional<http::message_generator> recording_frames(const recording_request& r,
                                                        const std::shared_ptr<record::recordings>& recs,
                                                        const answer_later& later) {
    constexpr std::size_t max_count = 300, default_count = 100, max_bytes = std::size_t{8} << 20;
    constexpr std::size_t max_frame_segments = 64;  // what 300 pictures can span (a slow camera, short segments)
    const auto from = record::parse_time(query_param(r.req->target(), "from"));
    if (!from) return text(r, http::status::bad_request, "from: give Unix seconds or ISO 8601 UTC\n");
    std::size_t count = default_count;
    if (const auto c = query_param(r.req->target(), "count"); !c.empty()) {
        const auto n = std::strtoul(c.c_str(), nullptr, 10);
        if (c.find_first_not_of("0123456789") != std::string::npos || n < 1 || n > max_count)
            return text(r, http::status::bad_request, "count: a number from 1 to 300\n");
        count = n;
    }
    // The segment on screen at `from` (it overlaps it) and those after it, opened as needed.
    const auto folder = recs ? recs->folder() : std::filesystem::path{};
    std::vector<std::pair<std::filesystem::path, std::int64_t>> files;
    if (recs)
        for (const auto& s : recs->segments(r.stream, *from, now_us(), max_frame_segments))
            files.emplace_back(folder / r.stream / s.name, s.start_us);
    if (files.empty())
        return text(r, http::status::not_found, "stream '" + r.stream + "' has no recording from " + record::iso_time(*from) + "\n");
    return run_later(r, later, [r, files = std::move(files), from = *from, count]() -> http::message_generator {
        std::vector<record::recorded_jpeg> pictures;
        try {
            pictures = record::jpegs_from(files, from, count, max_bytes);
        } catch (const record::segment_error& e) {
            log_request(spdlog::level::err, "stream={} recorded pictures failed: {}", r.stream, e.what());
            return text(r, http::status::internal_server_error, "the recording could not be read there\n");
        }
        constexpr std::string_view boundary = "wscam-frame";
        std::string body;
        for (const auto& p : pictures) {
            body += "--";
            body += boundary;
            body += "\r\nContent-Type: image/jpeg\r\nContent-Length: " + std::to_string(p.jpeg.size()) +
                    "\r\nX-Capture-Time: " + std::to_string(p.capture_us) + "\r\n\r\n";
            body.append(p.jpeg.begin(), p.jpeg.end());
            body += "\r\n";
        }
        body += "--" + std::string(boundary) + "--\r\n";
        auto res = text_response(*r.req, http::status::ok, std::move(body),
                                 "multipart/mixed; boundary=" + std::string(boundary));
        res.set(http::field::cache_control, "no-store");
        res.set("X-Frame-Count", std::to_string(pictures.size()));
        no_body_for_head(res, r.head);
        r.log(http::status::ok);
        return res;
    });
}

http::message_generator recording_clip(const recording_request& r, const std::shared_ptr<record::recordings>& recs, bool start) {
    const auto until = recs ? recs->clip(r.stream, start) : std::nullopt;
    if (!until)
        return text(r, http::status::conflict,
                    "stream '" + r.stream + "' is not recorded as events here (record = \"events\"): it has no clips to start or stop\n");
    const nlohmann::json body = {{"stream", r.stream}, {"clip", start ? "started" : "stopping"}, {"until", seconds(*until)},
                                 {"until_iso", record::iso_time(*until)}};
    return text(r, http::status::ok, to_json_text(body), "application/json");
}

std::optional<http::message_generator> recordings_delete(const recording_request& r,
                                                         const std::shared_ptr<record::recordings>& recs,
                                                         const answer_later& later) {
    const auto t = time_range(r.req->target(), false);
    if (!t.error.empty()) return text(r, http::status::bad_request, t.error);
    if (!recs) return text(r, http::status::not_found, "this server keeps no recordings\n");
    return run_later(r, later, [r, recs, from = t.from, to = t.to]() -> http::message_generator {
        const auto gone = recs->erase(r.stream, from, to);
        nlohmann::json list = nlohmann::json::array();
        std::uint64_t bytes = 0;
        for (const auto& s : gone) {
            bytes += s.bytes;
            list.push_back({{"name", s.name}, {"start", seconds(s.start_us)}, {"end", seconds(s.end_us)}, {"bytes", s.bytes}});
        }
        // The segment being written stays (it closes at its length, or when the camera stops).
        nlohmann::json kept = nlohmann::json::array();
        for (const auto& s : recs->segments(r.stream, from, to))
            if (s.writing) kept.push_back({{"name", s.name}, {"start", seconds(s.start_us)}, {"reason", "being written"}});
        spdlog::info("stream={} recordings deleted: {} segment(s), {} MiB, {} to {}", r.stream, gone.size(), bytes >> 20,
                     record::iso_time(from), record::iso_time(to));
        const nlohmann::json body = {{"stream", r.stream}, {"deleted", list}, {"kept", kept}};
        return text(r, http::status::ok, to_json_text(body), "application/json");
    }, true);
}

}  // namespace wscam
