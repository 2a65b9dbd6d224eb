#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wscam::rtsp {

/**
 * What an RTSP request's URL and `Authorization` header ask for, read before GStreamer's RTSP
 * server looks at them: which stream, and which token the client brings. Pure (no GStreamer):
 * unit-tested and fuzzed, because every byte of it comes from whoever connects.
 *
 * The URL forms (docs/PROTOCOL.md, "RTSP"):
 *   rtsp://HOST:8554/NAME               the stream NAME
 *   rtsp://HOST:8554/NAME/stream=0      its track, as a player's SETUP names it (the SDP's control)
 *   rtsp://HOST:8554/NAME?token=T       the view token in the URL, for tools that cannot send auth
 * The token may instead be the password of RTSP Basic authentication (any user name).
 */
struct rtsp_target {
    std::string stream;   // a valid stream name (stream_registry::valid_name)
    std::string control;  // what follows "NAME/" ("stream=0"), empty for the stream itself
};

/**
 * The stream a request's absolute path names, or nullopt (with `why`) when it names none: not
 * one or two segments, a name that is not a stream name, an encoded or empty segment.
 */
std::optional<rtsp_target> parse_target(std::string_view abspath, std::string* why = nullptr);

/**
 * The path GStreamer mounts and matches the stream at ("/NAME"): the query (which may carry the
 * token) is never part of it, so a player's SETUP built from the Content-Base has no token in it.
 */
std::string mount_path(const std::string& stream);

/** The password of `Authorization: Basic base64(user:password)`; nullopt for any other scheme or bad base64. */
std::optional<std::string> basic_password(std::string_view authorization);

/**
 * The token a request brings: the password of its Basic authorization, else `token=` in its
 * query (percent-decoded); empty for none. A header that is not Basic brings nothing here.
 */
std::string presented_token(std::string_view authorization, std::string_view query);

}  // namespace wscam::rtsp
