#include "sources/push_source.hpp"

#include <spdlog/spdlog.h>

namespace wscam {

push_source::push_source(std::shared_ptr<stream> hub, intake_options options)
    : hub_(std::move(hub)),
      options_(std::move(options)),
      gate_(std::make_shared<publish_gate>(options_.publish_token, options_.publish_takeover)) {
    hub_->set_publish_gate(gate_);
}

void push_source::stop() {
    gate_->close("stream stopped");
    if (hub_->gate() == gate_) hub_->set_publish_gate(nullptr);
}

void push_source::start() {
    hub_->set_info({0, 0, 0, describe()});
    hub_->set_status(stream_status::down("waiting for a publisher"));
    spdlog::info("stream={} source push: publishers connect to /publish/{}{}", hub_->name(), hub_->name(),
                 options_.publish_token.empty() ? " (no token required)" : " with the publish token");
}

}  // namespace wscam
