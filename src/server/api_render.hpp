#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/stream.hpp"
#include "events/motion_event.hpp"
#include "record/recording_stats.hpp"
#include "server/rtsp_facts.hpp"
#include "server/server_config.hpp"

namespace wscam {

/**
 * `GET /api/streams`: every stream's state as JSON (see docs/PROTOCOL.md). A stream's `source`
 * is its description (credentials already hidden) when `shows_command_line(name)`; else an
 * `exec:` command line in it is cut to `exec` (source_without_command_line).
 */
/**
 * /api/origin's answer for a page from `origin` (the request's Origin header, sanitised here):
 * {"origin", "allowed", and "reason" (how to allow it) when not}. What <wscam-player> on another
 * site reads to say why its WebSocket was refused (a browser hides the 403 from the page).
 */
std::string origin_check_json(std::string_view origin, const std::optional<std::string>& refusal);

/**
 * With RTSP on (`rtsp` not null), each stream has `"rtsp": {"url", "readers"}`: the URL on `host`
 * (the name the request addressed this server by, as its Host header said; without one, the path only).
 */
std::string streams_json(stream_registry& streams, const std::function<bool(const std::string&)>& shows_command_line,
                         const record::recording_lookup& recording_of = {}, const events::detection_lookup& motion_of = {},
                         const rtsp_facts* rtsp = nullptr, std::string_view host = {});

/**
 * A source's description without the program it runs: "exec:ffmpeg -i ..." becomes "exec", and
 * a relayed stream's "nats: node A (exec:...)" becomes "nats: node A (exec)". A command line
 * says how the camera is reached and may hold what redaction does not recognise as a secret:
 * it is for the operator (the control token), not for everyone who may watch.
 */
std::string source_without_command_line(std::string_view description);

/** `GET /metrics`: Prometheus text exposition, one family per fact, labelled by stream. */
std::string metrics_text(stream_registry& streams, const server_stats& totals,
                         const record::recording_lookup& recording_of = {}, const events::detection_lookup& motion_of = {},
                         const rtsp_facts* rtsp = nullptr);

}  // namespace wscam
