#pragma once

#include <memory>

#include "core/stream.hpp"
#include "core/publish_gate.hpp"
#include "core/source.hpp"
#include "sources/source_options.hpp"

namespace wscam {

/**
 * `push:` — frames arrive from a camera that connects to `/publish/<stream>` as a WebSocket
 * client (a camera behind NAT dialling out to a public wscam). This source only opens the
 * gate (token, one publisher at a time); the server's publisher_session does the rest.
 */
class push_source : public source {
public:
    push_source(std::shared_ptr<stream> hub, intake_options options);
    void start() override;
    /** Closes the gate: the publisher is told to leave, and no other gets in through it. */
    void stop() override;
    std::string describe() const override { return "push:"; }

private:
    std::shared_ptr<stream> hub_;
    intake_options options_;
    std::shared_ptr<publish_gate> gate_;
};

}  // namespace wscam
