#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/stream.hpp"
#include "record/recordings.hpp"
#include "server/beast.hpp"

namespace wscam {

/**
 * The recordings API (docs/PROTOCOL.md, "Recordings"), answered after http_routes has checked
 * the token the route needs, for a stream configured now. A request is copied in (a slow answer outlives the connection's
 * buffer); `log` is told the status before the answer goes, and copies what it logs.
 */
struct recording_request {
    std::shared_ptr<const http::request<http::string_body>> req;
    bool head = false;
    std::string stream;
    std::function<void(http::status)> log;
};

/** An answer that blocks (file I/O, decoding), made on the blocking pool; it must not own the connection. */
using slow_answer = std::function<http::message_generator()>;
/**
 * Runs a slow answer off the I/O thread and sends it; false when too many wait (the route
 * answers 503). `urgent`: a control-token request (a DELETE), which neither counts against its
 * address's share nor waits behind the viewers' answers (blocking_work::try_run).
 */
using answer_later = std::function<bool(slow_answer, bool urgent)>;

/**
 * GET /api/recordings/<stream>?from=&to=: the segments and the gaps between them, and the
 * timelapse files, as JSON (made on the blocking pool; at most 10,000 segments an answer).
 */
std::optional<http::message_generator> recordings_list(const recording_request& r,
                                                       const std::shared_ptr<record::recordings>& recs,
                                                       const answer_later& later);

/** GET /recordings/<stream>/<segment>.mp4: the file, whole or one byte range (206, Content-Range; 416). */
http::message_generator recording_file(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                       const std::string& segment);

/** GET /recordings/<stream>/timelapse/<day>.mp4: a timelapse file (record::timelapse), as recording_file. */
http::message_generator timelapse_file(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                       const std::string& name);

/**
 * GET /recordings/<stream>/export.mp4?from=&to=: the range as one MP4 (record::export_range),
 * made on the blocking pool into a file of the recordings folder that is unlinked as soon as it
 * is open, so nothing is left behind. nullopt: the answer comes later.
 */
std::optional<http::message_generator> recording_export(const recording_request& r,
                                                        const std::shared_ptr<record::recordings>& recs,
                                                        const answer_later& later);

/** GET /recordings/<stream>/snapshot.jpg?at=: the picture shown at that time (record::still_at). */
std::optional<http::message_generator> recording_snapshot(const recording_request& r,
                                                          const std::shared_ptr<record::recordings>& recs,
                                                          const answer_later& later);

/**
 * GET /recordings/<stream>/frames?from=&count=: the recorded JPEGs from the one on screen at
 * `from` on (record::jpegs_from; count 1-300, default 100, at most 8 MiB), as multipart/mixed,
 * each part with X-Capture-Time in µs: what the viewer plays a JPEG recording from.
 */
std::optional<http::message_generator> recording_frames(const recording_request& r,
                                                        const std::shared_ptr<record::recordings>& recs,
                                                        const answer_later& later);

/**
 * POST /api/recordings/<stream>/clip/start or /clip/stop: an events recording's clip starts (or
 * goes on) or stops (record::recordings::clip); 409 when the stream is not recorded as events.
 */
http::message_generator recording_clip(const recording_request& r, const std::shared_ptr<record::recordings>& recs, bool start);

/** DELETE /api/recordings/<stream>?from=&to= (both optional): removes segments (record::recordings::erase). */
std::optional<http::message_generator> recordings_delete(const recording_request& r,
                                                         const std::shared_ptr<record::recordings>& recs,
                                                         const answer_later& later);

}  // namespace wscam
