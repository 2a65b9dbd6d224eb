#pragma once

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <string_view>

#include "server/server_config.hpp"

namespace wscam::rtsp {

/** What one RTSP request is asked for, as GStreamer's RTSP server parsed it. */
struct rtsp_ask {
    bool options = false;            // OPTIONS (asks for nothing): always answered
    bool describe = false;           // DESCRIBE: where a reader starts, and where a full server says 503
    std::string_view abspath;        // the URL's path ("/NAME", "/NAME/stream=0")
    std::string_view query;          // the URL's query, without '?'
    std::string_view authorization;  // the Authorization header, empty if none
    /**
     * Digest credentials, as GStreamer parsed them: whether they were made with `token` as the
     * password (for this connection's nonce). Null when the request brings none.
     */
    std::function<bool(const std::string& token)> digest;
};

/** The verdict on one request: let GStreamer go on (status 0), or answer `status` with `reason`. */
struct rtsp_verdict {
    int status = 0;            // 0: allowed; else 401, 403, 404 (RTSP's codes are HTTP's here)
    std::string reason;        // for the answer's body and the log line (never the token)
    std::string stream;        // the stream named, when the path names one
    bool challenge = false;    // 401: ask for credentials (WWW-Authenticate: Digest and Basic)
    bool guess = false;        // a token came and opened nothing: the wrong-token brake counts it
    bool authenticated = false;  // a token opened the stream: the connection may ask again without it
};

/**
 * The decision wscam adds on top of GStreamer for each request: which stream, and whether the
 * token it brings (Basic password or ?token=, rtsp_request; or Digest credentials made with it)
 * opens it, by the server's one table (request_access: route_kind::rtsp needs the view token; the
 * control token opens it too). Digest can only be checked against a token this node knows in
 * clear: a relayed stream's owner announces verifiers, so there only Basic and ?token= work.
 *
 * A player sends the token with DESCRIBE and builds SETUP and PLAY from the answer's Content-Base,
 * which has no query: so a connection on which a token opened a stream (`opened`) may ask for that
 * stream again without it. `exists` says whether the stream is served now; `blocked` whether this
 * address is under the wrong-token brake (then a request with a token is refused, right or not).
 * Pure: unit-tested and fuzzed with the request parser.
 */
rtsp_verdict decide_rtsp(const rtsp_ask& ask, const stream_access_table& access,
                         const std::function<bool(const std::string&)>& exists, const std::set<std::string>& opened,
                         bool blocked);

}  // namespace wscam::rtsp
