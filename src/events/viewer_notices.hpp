#pragma once

#include <memory>

#include "core/stream.hpp"
#include "events/motion_event.hpp"

namespace wscam::events {

/**
 * `{"type":"event","stream":NAME,"state":"start"|"end","event":{...to_json...}}`: what a
 * wscam.v1 viewer is told of its stream's events (docs/PROTOCOL.md).
 */
std::string event_message(const notice& n);

/**
 * The output that tells viewers: each notice goes to its stream's viewers over their WebSocket,
 * and a started event stays the stream's lasting notice, so a viewer who joins during it hears
 * it at once (the page's motion indicator).
 */
class viewer_notices : public event_output {
public:
    explicit viewer_notices(std::shared_ptr<stream_registry> registry) : registry_(std::move(registry)) {}
    void deliver(const notice& n) override;

private:
    std::shared_ptr<stream_registry> registry_;
};

}  // namespace wscam::events
