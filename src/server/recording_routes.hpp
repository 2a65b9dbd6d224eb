#pragma once

#include <functional>
#include <string>

#include "core/stream.hpp"
#include "record/recordings.hpp"
#include "server/beast.hpp"

namespace wscam {

/**
 * The recordings API (docs/PROTOCOL.md, "Recordings"), answered after http_routes has checked
 * the stream's view token. `log` is told the status before the answer goes.
 */
struct recording_request {
    const http::request<http::string_body>& req;
    bool head;
    const std::string& stream;
    std::function<void(http::status)> log;
};

/** GET /api/recordings/<stream>?from=&to=: the segments and the gaps between them, as JSON. */
http::message_generator recordings_list(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                        bool stream_exists);

/** GET /recordings/<stream>/<segment>.mp4: the file, whole or one byte range (206, Content-Range; 416). */
http::message_generator recording_file(const recording_request& r, const std::shared_ptr<record::recordings>& recs,
                                       const std::string& segment);

}  // namespace wscam
