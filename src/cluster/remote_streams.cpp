#include "cluster/remote_streams.hpp"

#include <spdlog/spdlog.h>

namespace wscam::cluster {
namespace {

constexpr int frame_queue = 4;  // frames of one remote stream waiting for the handler; beyond that NATS drops

}  // namespace

void remote_streams::apply(const actions& todo, const cluster_state& state, transport& link) {
    for (const auto& v : todo.upsert) {
        auto it = streams_.find(v.stream);
        const bool created = it == streams_.end();
        if (created) it = add(v);
        if (it == streams_.end()) continue;
        update(it->second, v, created, state);
    }
    for (const auto& name : todo.subscribe) subscribe(name, link);
    for (const auto& name : todo.unsubscribe)
        if (auto it = streams_.find(name); it != streams_.end()) it->second.frames.reset();
    for (const auto& [name, reason] : todo.forget) forget(name, reason);
    end_pass();
}

remote_streams::iterator remote_streams::add(const remote_view& v) {
    if (registry_->find(v.stream)) return streams_.end();  // a local stream of that name shadows it
    // Closed before it is reachable: what the owner requires comes first.
    if (!v.view_check.empty() || !v.control_check.empty()) relay_access(v);
    std::shared_ptr<stream> hub;
    try {
        hub = registry_->add(v.stream);
    } catch (const std::exception& e) {
        spdlog::warn("cluster: cannot show stream '{}' of node {}: {}", v.stream, v.owner, e.what());
        if (options_.set_relayed_access) options_.set_relayed_access(v.stream, std::nullopt);
        return streams_.end();
    }
    relayed r;
    r.hub = hub;
    r.controls = std::make_unique<publisher_protocol>(
        hub, hooks_.post,
        [request = hooks_.request_control, name = v.stream](std::string text) { request(name, std::move(text)); },
        /*relayed=*/true);
    r.feed = std::make_shared<remote_feed>(hub, options_.max_frame_bytes, options_.max_frame_pixels,
                                          !options_.secret.empty());
    // A viewer arriving wakes the cluster thread (its leaving is seen by the tick).
    r.watch = std::make_shared<demand_watch>(hooks_.wake);
    hub->watch_demand(r.watch);
    r.view_check = v.view_check;
    r.control_check = v.control_check;
    // One line for a new stream, with its state (not a second one for the state).
    if (pass_may_log()) {
        if (v.status.online)
            spdlog::info("stream={} cluster: served by node {}: online", v.stream, v.owner);
        else
            spdlog::info("stream={} cluster: served by node {}: offline: {}", v.stream, v.owner, v.status.reason);
    }
    return streams_.emplace(v.stream, std::move(r)).first;
}

void remote_streams::update(relayed& r, const remote_view& v, bool created, const cluster_state& state) {
    if (r.view_check != v.view_check || r.control_check != v.control_check) {
        // Only on a change: each one copies the server's access table.
        relay_access(v);
        r.view_check = v.view_check;
        r.control_check = v.control_check;
    }
    if (r.owner != v.owner) {
        if (!r.owner.empty() && may_log(r) && pass_may_log())
            spdlog::info("stream={} cluster: now served by node {}{}", v.stream, v.owner, held_lines(r));
        r.owner = v.owner;
    }
    r.hub->set_info(v.info);
    if (r.hub->set_status(v.status) && !created && may_log(r) && pass_may_log()) {
        if (v.status.online)
            spdlog::info("stream={} cluster: online (node {}){}", v.stream, v.owner, held_lines(r));
        else
            spdlog::warn("stream={} cluster: offline: {}{}", v.stream, v.status.reason, held_lines(r));
    }
    const auto owner = state.owner(v.stream);
    r.feed->set_owner(owner);
    hooks_.owner_changed(v.stream, owner);
}

void remote_streams::subscribe(const std::string& name, transport& link) {
    auto it = streams_.find(name);
    if (it == streams_.end() || it->second.frames) return;
    it->second.feed->restart();  // the owner's numbers went on while we did not watch
    std::string error;
    it->second.frames = link.subscribe(
        subjects_.frame(name), [feed = it->second.feed](const incoming& in) { feed->on_message(in); }, frame_queue,
        &error, static_cast<std::int64_t>(frame_queue * (options_.max_frame_bytes + 4096)));
    if (!it->second.frames) spdlog::warn("stream={} cluster: {}", name, error);
}

bool remote_streams::forget(const std::string& name, const std::string& reason) {
    const auto it = streams_.find(name);
    if (it == streams_.end()) return false;
    forget(it, reason);
    return true;
}

void remote_streams::forget(iterator it, const std::string& reason) {
    it->second.watch->disarm();
    it->second.controls->close();
    it->second.frames.reset();
    hooks_.owner_changed(it->first, std::nullopt);
    // As a reload's removal: the viewers are closed, and the server lets go of the hub (its
    // newest frame, viewer groups and H.264 renditions), not just the registry.
    if (options_.remove_stream) {
        options_.remove_stream(it->first, reason);
    } else {
        it->second.hub->remove(reason);
        registry_->take(it->first);
    }
    if (options_.set_relayed_access && (!it->second.view_check.empty() || !it->second.control_check.empty()))
        options_.set_relayed_access(it->first, std::nullopt);  // after it is gone
    if (pass_may_log()) spdlog::info("stream={} cluster: removed: {}", it->first, reason);
    streams_.erase(it);
}

std::vector<std::pair<std::string, std::size_t>> remote_streams::viewer_counts() const {
    std::vector<std::pair<std::string, std::size_t>> out;
    out.reserve(streams_.size());
    for (const auto& [name, r] : streams_) out.emplace_back(name, r.hub->viewer_count());
    return out;
}

void remote_streams::expire(std::chrono::steady_clock::time_point now) {
    for (auto& [name, r] : streams_) r.controls->expire(now);
}

publisher_protocol* remote_streams::controls_of(const std::string& name) {
    const auto it = streams_.find(name);
    return it == streams_.end() ? nullptr : it->second.controls.get();
}

void remote_streams::close_all() {
    for (auto& [name, r] : streams_) {
        r.watch->disarm();
        r.frames.reset();
        r.controls->close();  // the cluster thread is gone: nothing else touches them now
    }
}

void remote_streams::relay_access(const remote_view& v) {
    if (!options_.set_relayed_access) return;
    options_.set_relayed_access(v.stream, std::make_pair(check_of(v.view_check), check_of(v.control_check)));
}

token_check remote_streams::check_of(const std::string& text) {
    if (text.empty()) return {};
    if (const auto it = checks_.find(text); it != checks_.end()) return it->second;
    auto c = token_check::verifier(text);
    if (!c) return token_check::nobody();  // parse_announce refuses such an announce; closed if one ever got here
    if (checks_.size() >= 4096) checks_.clear();
    return checks_.emplace(text, *c).first->second;
}

bool remote_streams::may_log(relayed& r) {
    if (r.log_budget.take(token_bucket::clock::now())) return true;
    ++r.log_held;
    return false;
}

std::string remote_streams::held_lines(relayed& r) {
    if (r.log_held == 0) return {};
    return " (" + std::to_string(std::exchange(r.log_held, 0)) + " earlier changes not logged)";
}

bool remote_streams::pass_may_log() {
    if (pass_lines_ < max_pass_lines) {
        ++pass_lines_;
        return true;
    }
    ++pass_held_;
    return false;
}

void remote_streams::end_pass() {
    if (pass_held_ > 0)
        spdlog::info("cluster: {} more changes of remote streams not logged (GET /api/streams lists them all)", pass_held_);
    pass_lines_ = pass_held_ = 0;
}

}  // namespace wscam::cluster
