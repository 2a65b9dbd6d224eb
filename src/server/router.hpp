#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wscam {

/** What a request target asks for. Pure: no sockets, so it is unit-tested and fuzzed. */
enum class route_kind {
    page,         // GET / or /view/<stream>: the viewer page; /embed/<stream>: the player alone, for an <iframe> (path: the file)
    asset,        // a file of the embedded viewer (path in `path`)
    viewer_ws,    // WebSocket upgrade on /, /ws or /ws/<stream>
    publish_ws,   // WebSocket upgrade on /publish/<stream>: a camera pushing frames
    health,       // /healthz
    api_streams,  // /api/streams
    metrics,      // /metrics (Prometheus text format)
    snapshot,     // /snapshot/<stream>.jpg
    mjpeg,        // /stream/<stream>.mjpg: multipart MJPEG over HTTP (VLC, ffmpeg, Home Assistant, <img>)
    recordings,   // /api/recordings/<stream>: its recorded segments and gaps (?from=&to=)
    recording,    // /recordings/<stream>/<segment>.mp4: one segment (path: the segment's file name), Range requests
    recording_export,    // /recordings/<stream>/export.mp4?from=&to=: a time range as one MP4
    recording_snapshot,  // /recordings/<stream>/snapshot.jpg?at=: the recorded picture at a time
    recording_frames,    // /recordings/<stream>/frames?from=&count=: recorded JPEGs from a time (the viewer's playback)
    recording_timelapse, // /recordings/<stream>/timelapse/<day>.mp4: a day's timelapse (path: its file name), Range requests
    recording_clip,      // POST /api/recordings/<stream>/clip/start or /clip/stop (path: start or stop): an events recording's clip
    recordings_delete,   // DELETE /api/recordings/<stream>?from=&to= (http_routes tells it from GET by the method)
    events,              // /api/events/<stream>?from=&to=&limit=: its motion events, newest first
    event_snapshot,      // /api/events/<stream>/<id>.jpg: an event's snapshot (path: the id, digits)
    origin_check,        // /api/origin: whether the asking page's Origin may open viewer WebSockets (for <wscam-player>)
    rtsp,                // rtsp://HOST:8554/<stream>: never routed from HTTP; the RTSP server (src/rtsp) asks the same table
    not_found,
};

struct route {
    route_kind kind = route_kind::not_found;
    std::string stream;  // for viewer_ws, snapshot, page (may be empty for page = let the page choose)
    std::string path;    // for asset: the path without the leading '/'
};

/**
 * Maps a request target (path and query) to a route. `upgrade` is whether the request
 * asks for a WebSocket; `ws_only` is the second listener, where any path upgrades to a viewer.
 */
route match_route(std::string_view target, bool upgrade, bool ws_only, const std::string& default_stream);

/** The target's path: what comes before the query (the part logs show: a query may carry a token). */
std::string_view target_path(std::string_view target);

/** `target` without its `token` query parameter(s): what may be handed to another host. */
std::string without_token(std::string_view target);

/** The value of `key` in the target's query string (percent-decoded), or empty (also when it is malformed). */
std::string query_param(std::string_view target, std::string_view key);
/**
 * The same, telling a malformed value (a bad percent escape: `%zz`, a lone `%`) apart: nullopt.
 * For parameters where "absent" means "everything" (a DELETE's range), a typo must not widen it.
 */
std::optional<std::string> query_value(std::string_view target, std::string_view key);

}  // namespace wscam
