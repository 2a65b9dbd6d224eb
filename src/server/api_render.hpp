#pragma once

#include <string>

#include "core/frame_hub.hpp"
#include "server/server.hpp"

namespace wscam {

/** `GET /api/streams`: every stream's state as JSON (see docs/PROTOCOL.md). */
std::string streams_json(stream_registry& streams);

/** `GET /metrics`: Prometheus text exposition, one family per fact, labelled by stream. */
std::string metrics_text(stream_registry& streams, const server_stats& totals);

}  // namespace wscam
