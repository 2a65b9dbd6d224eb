#pragma once

#include <memory>
#include <optional>

#include "events/event_store.hpp"
#include "server/recording_routes.hpp"

namespace wscam {

/**
 * GET /api/events/<stream>?from=&to=&limit=: the stream's motion events overlapping the range,
 * newest first (limit 1-1000, default 100; "more": true when there are others), as JSON (read on
 * the blocking pool: SQLite). A server that keeps no events answers an empty list, "kept": false.
 */
std::optional<http::message_generator> events_list(const recording_request& r, std::shared_ptr<events::event_store> store,
                                                   const answer_later& later);

/** GET /api/events/<stream>/<id>.jpg: the event's snapshot (the camera's JPEG at its peak), X-Capture-Time in µs. */
std::optional<http::message_generator> event_snapshot(const recording_request& r, std::shared_ptr<events::event_store> store,
                                                      const std::string& id, const answer_later& later);

}  // namespace wscam
