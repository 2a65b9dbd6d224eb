#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/frame.hpp"

namespace wscam::events {

/** Where something moved, in fractions of the picture (x, y: top left). */
struct area {
    double x = 0, y = 0, w = 0, h = 0;
    bool operator==(const area&) const = default;
};

/**
 * One motion event of one stream: what the API lists, viewers are told, MQTT and webhooks send.
 * Its id is its start time in µs: unique within a stream (a stream's events never overlap), the
 * same on every output, and known at once (no store has to answer first).
 */
struct motion_event {
    std::string stream;
    std::int64_t id = 0;            // == start_us
    std::int64_t start_us = 0;      // capture time of the first picture with motion
    std::int64_t end_us = 0;        // capture time of the last picture with motion; 0 while it goes on
    std::int64_t peak_us = 0;       // capture time of the picture with the highest score: the snapshot's
    double score = 0;               // the peak's moving share of the picture (outside the mask), 0-1
    events::area box;               // where it moved at the peak
    int width = 0, height = 0;      // the picture's size
    bool operator==(const motion_event&) const = default;

    bool ongoing() const { return end_us == 0; }
};

/** What happened to an event; the outputs are told in this order for each event. */
enum class change { started, ended };

/** One change, with the peak's picture (the snapshot: the camera's JPEG, shared, not copied). */
struct notice {
    events::change change = change::started;
    motion_event event;
    frame_ptr snapshot;  // may be null (a picture no longer held)
};

/**
 * The event as JSON, the same object everywhere (/api/events, the viewers' `event` message,
 * MQTT, webhooks, exec): {"stream","id","kind":"motion","start","start_us","end","end_us",
 * "peak_us","score","box":{x,y,w,h},"width","height","snapshot"} (docs/PROTOCOL.md). Times as
 * ISO 8601 and as Unix µs; end and end_us are null while it goes on.
 */
nlohmann::json to_json(const motion_event& e);

/** What a stream's motion detection is doing, for /api/streams and /metrics. */
struct detection_stats {
    std::string state;           // "learning", "still", "motion", "offline"
    std::uint64_t pictures = 0;  // looked at
    std::uint64_t skipped = 0;   // replaced by a newer one before their turn
    std::uint64_t events = 0;    // started since detection began
    std::uint64_t undecodable = 0;
};
/** A stream's detection by name; nullopt when it does not look for motion. */
using detection_lookup = std::function<std::optional<detection_stats>(const std::string& stream)>;

/** Serves `notice`s: the store, recordings' clips, viewers, MQTT, webhooks, exec. Must not block. */
class event_output {
public:
    virtual ~event_output() = default;
    virtual void deliver(const notice& n) = 0;
};

}  // namespace wscam::events
