#include "cluster/local_streams.hpp"

#include "core/token_check.hpp"

namespace wscam::cluster {

std::vector<std::string> local_streams::set(const std::vector<std::shared_ptr<stream>>& hubs,
                                            const sink_maker& make_sink) {
    std::map<std::string, served> next;
    for (const auto& hub : hubs) {
        if (auto it = streams_.find(hub->name()); it != streams_.end() && it->second.hub == hub) {
            next.emplace(hub->name(), std::move(it->second));
            streams_.erase(it);
            continue;
        }
        auto sink = make_sink(hub->name());
        hub->subscribe(sink);
        next.emplace(hub->name(), served{hub, std::move(sink)});
    }
    for (auto& [name, s] : streams_) s.hub->unsubscribe(s.sink.get());  // no longer ours
    streams_ = std::move(next);
    return names();
}

std::vector<std::string> local_streams::names() const {
    std::vector<std::string> out;
    for (const auto& [name, s] : streams_) out.push_back(name);
    return out;
}

stream* local_streams::hub_of(const std::string& name) const {
    const auto it = streams_.find(name);
    return it == streams_.end() ? nullptr : it->second.hub.get();
}

void local_streams::set_interest(const std::function<std::size_t(const std::string&)>& interest) {
    for (auto& [name, s] : streams_)
        if (s.sink->set_remote(interest(name))) s.hub->demand_changed();
}

std::optional<std::vector<control_info>> local_streams::new_watcher(const std::string& name) {
    const auto it = streams_.find(name);
    if (it == streams_.end()) return std::nullopt;
    it->second.sink->offer(it->second.hub->latest());
    return it->second.hub->controls();
}

std::uint64_t local_streams::run_numbering::number(std::uint64_t hub_sequence) {
    auto n = hub_sequence + offset;
    if (n <= last) {
        offset += last + 1 - n;
        n = last + 1;
    }
    return last = n;
}

std::vector<local_streams::outgoing_frame> local_streams::take_frames() {
    std::vector<outgoing_frame> out;
    for (auto& [name, s] : streams_)
        if (auto f = s.sink->take()) {
            const auto sequence = numbers_[name].number(f->sequence());
            out.push_back({name, std::move(f), sequence});
        }
    return out;
}

std::vector<announced_stream> local_streams::announced() {
    std::vector<announced_stream> out;
    for (auto& [name, s] : streams_) {
        const auto status = s.hub->status();
        const auto info = s.hub->info();
        auto [view_check, control_check] = verifiers_for(name);
        out.push_back({name, status.online, status.reason, status.message, info.width, info.height, info.fps, info.source,
                       std::move(view_check), std::move(control_check)});
    }
    return out;
}

void local_streams::unsubscribe_all() {
    for (auto& [name, s] : streams_) s.hub->unsubscribe(s.sink.get());
}

std::pair<std::string, std::string> local_streams::verifiers_for(const std::string& name) {
    if (!tokens_for_) return {};
    const auto [view, control] = tokens_for_(name);
    auto verifier = [&](const std::string& token) -> std::string {
        if (token.empty()) return {};
        if (const auto it = verifiers_.find(token); it != verifiers_.end()) return it->second;
        if (verifiers_.size() >= 4096) verifiers_.clear();
        return verifiers_.emplace(token, make_token_verifier(token)).first->second;
    };
    return {verifier(view), verifier(control)};
}

std::span<const std::uint8_t> framed_as(const frame& f, std::uint64_t sequence, std::vector<std::uint8_t>& scratch) {
    const auto bytes = f.framed();
    if (sequence == f.sequence()) return bytes;
    scratch.assign(bytes.begin(), bytes.end());
    frame::set_sequence(scratch, sequence);
    return scratch;
}

}  // namespace wscam::cluster
