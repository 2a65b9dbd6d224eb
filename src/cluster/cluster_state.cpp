#include "cluster/cluster_state.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace wscam::cluster {
namespace {

// 3500 ms -> "3.5", 3000 ms -> "3", 1250 ms -> "1.25".
std::string seconds_text(std::chrono::milliseconds d) {
    const auto ms = d.count();
    std::string text = std::to_string(ms / 1000);
    if (const auto rest = ms % 1000; rest != 0) {
        std::string fraction = std::to_string(rest);
        fraction.insert(0, 3 - fraction.size(), '0');
        while (fraction.back() == '0') fraction.pop_back();
        text += "." + fraction;
    }
    return text;
}

bool same_view(const remote_view& a, const remote_view& b) {
    return a.owner == b.owner && a.epoch == b.epoch && a.status.online == b.status.online &&
           a.status.reason == b.status.reason && a.status.message == b.status.message &&
           a.info.width == b.info.width && a.info.height == b.info.height && a.info.fps == b.info.fps &&
           a.info.source == b.info.source && a.view_check == b.view_check && a.control_check == b.control_check;
}

}  // namespace

cluster_state::cluster_state(std::string self, std::uint64_t epoch, timings t, bounds b)
    : self_(std::move(self)), epoch_(epoch), timings_(t), bounds_(b) {}

void cluster_state::set_local_streams(std::vector<std::string> names) {
    auto next = std::set<std::string>(std::make_move_iterator(names.begin()), std::make_move_iterator(names.end()));
    // A name no longer served here: another node's claim of it may be shown at the next pass.
    for (const auto& name : local_)
        if (!next.contains(name)) unshadowed_.insert(name);
    local_ = std::move(next);
    for (const auto& name : local_) remotes_.erase(name);
    std::erase_if(interest_, [&](const auto& entry) { return !local_.contains(entry.first); });
}

actions cluster_state::on_announce(const announce& a, clock::time_point now) {
    actions out;
    std::uint64_t held = 0;
    if (a.node == self_) {
        // Our own heartbeat (NoEcho should stop it), or another node with our name.
        if (a.epoch != epoch_ && same_name_log_.allow(now, held))
            spdlog::error("cluster: another node calls itself {}: give every node its own --node{}", self_,
                          held ? " (" + std::to_string(held) + " more of its announces since the last line)" : "");
        return out;
    }
    auto it = nodes_.find(a.node);
    const bool known = it != nodes_.end() && fresh(it->second, now);
    if (it != nodes_.end()) {
        // The run last heard, again: an older (or the same) announce of it, or any after it said
        // it was leaving, is a replay, for as long as the node is remembered (a signed announce
        // is good for a minute, and a node that left would otherwise come back).
        const auto& n = it->second;
        if (a.epoch == n.epoch && (a.seq <= n.seq || n.left)) return out;
        // A late word from an earlier run of a node that has restarted since. (Only while the
        // node is alive: a node whose clock went back may come back with a smaller epoch.)
        if (known && a.epoch < n.epoch) return out;
    }
    if (it == nodes_.end() && !room_for_node(a, now)) {
        if (too_many_nodes_log_.allow(now, held))
            spdlog::warn("cluster: node {} ignored: this node follows at most {} other nodes{}", a.node, bounds_.max_nodes,
                         held ? " (" + std::to_string(held) + " more ignored since the last line)" : "");
        return out;
    }
    std::map<std::string, std::size_t> watched_before;
    if (known && it->second.epoch == a.epoch) watched_before = std::move(it->second.watching);

    auto& n = nodes_[a.node];
    n.epoch = a.epoch;
    n.seq = a.seq;
    n.last_seen = now;
    n.left = a.leaving;
    n.url = a.url;
    std::map<std::string, announced_stream> streams;
    n.watching.clear();
    if (!a.leaving) {
        for (const auto& s : a.streams) streams[s.name] = s;
        for (const auto& [stream, viewers] : a.watching)
            if (viewers > 0) n.watching[stream] = viewers;
    }
    set_claims(a.node, n.streams, streams);
    n.streams = std::move(streams);
    for (const auto& watched : n.watching)
        if (local_.contains(watched.first) && !watched_before.contains(watched.first))
            out.new_watchers.push_back(watched.first);
    reconcile(now, out, &a.node);
    return out;
}

actions cluster_state::set_local_viewers(const std::string& remote_stream, std::size_t n, clock::time_point now) {
    actions out;
    const auto it = remotes_.find(remote_stream);
    if (it == remotes_.end()) return out;  // local, or forgotten meanwhile
    auto& e = it->second;
    const bool had = e.viewers > 0;
    e.viewers = n;
    if (n > 0) {
        e.linger_until.reset();
        if (!e.subscribed) {
            e.subscribed = true;
            out.subscribe.push_back(remote_stream);
            out.announce_now = true;  // the owner starts capturing
        }
    } else if (had && e.subscribed) {
        // Page reloads and tab switches come back within the linger: keep the subscription until then.
        e.linger_until = now + timings_.unsubscribe_linger;
    }
    return out;
}

actions cluster_state::on_link(bool up, clock::time_point now) {
    actions out;
    if (up) {
        link_up_ = true;
        out.announce_now = true;  // the others may have missed our heartbeats
    } else if (link_up_) {
        link_up_ = false;
        link_down_since_ = now;
    }
    reconcile(now, out);
    return out;
}

actions cluster_state::tick(clock::time_point now) {
    actions out;
    for (auto& [stream, e] : remotes_) {
        if (!e.linger_until || now < *e.linger_until) continue;
        e.linger_until.reset();
        if (e.viewers == 0 && e.subscribed) {
            e.subscribed = false;
            out.unsubscribe.push_back(stream);
            out.announce_now = true;
        }
    }
    reconcile(now, out);
    if (!next_heartbeat_ || now >= *next_heartbeat_) {
        out.announce_now = true;
        next_heartbeat_ = now + timings_.heartbeat;
    }
    return out;
}

std::size_t cluster_state::remote_interest(const std::string& local_stream) const {
    const auto it = interest_.find(local_stream);
    return it == interest_.end() ? 0 : it->second;
}

std::optional<std::pair<std::string, std::uint64_t>> cluster_state::owner(const std::string& stream) const {
    const auto it = remotes_.find(stream);
    if (it == remotes_.end() || it->second.lost_since) return std::nullopt;
    return std::make_pair(it->second.owner, it->second.epoch);
}

announce cluster_state::make_announce(std::vector<announced_stream> owned, bool leaving) {
    announce a{self_, epoch_, ++seq_, leaving, std::move(owned), {}, url_};
    if (leaving) return a;
    for (const auto& [stream, e] : remotes_) {
        if (!e.subscribed) continue;
        if (a.watching.size() == max_announced_streams) break;  // what parse_announce accepts
        a.watching[stream] = std::clamp<std::size_t>(e.viewers, 1, max_watching_viewers);
    }
    return a;
}

std::optional<std::pair<std::string, std::string>> cluster_state::recordings_home(const std::string& stream, bool recording_here,
                                                                                  clock::time_point now) const {
    // An address that is our own would send the client back here, round and round.
    auto address = [&](const std::string& node) {
        const auto n = nodes_.find(node);
        return n == nodes_.end() || n->second.url == url_ ? std::string() : n->second.url;
    };
    if (!recording_here)
        if (const auto it = claimants_.find(stream); it != claimants_.end())
            for (const auto& name : it->second) {  // in name order: the first that records it
                const auto n = nodes_.find(name);
                if (name == self_ || n == nodes_.end() || !fresh(n->second, now)) continue;
                if (const auto s = n->second.streams.find(stream); s != n->second.streams.end() && s->second.recording)
                    return std::pair{name, address(name)};
            }
    if (local_.contains(stream)) return std::nullopt;  // ours, and nobody else records it: here
    const auto it = remotes_.find(stream);
    if (it == remotes_.end() || it->second.owner.empty()) return std::nullopt;
    return std::pair{it->second.owner, address(it->second.owner)};
}

bool cluster_state::should_record(const std::string& stream, bool online_here, bool recording_here,
                                  clock::time_point now) const {
    const auto it = claimants_.find(stream);
    bool other_online = false, smallest_online = online_here, keeps = recording_here && online_here;
    if (it != claimants_.end())
        for (const auto& name : it->second) {
            const auto n = nodes_.find(name);
            if (name == self_ || n == nodes_.end() || !fresh(n->second, now)) continue;
            const auto s = n->second.streams.find(stream);
            if (s == n->second.streams.end() || !s->second.online) continue;
            other_online = true;
            if (name < self_) smallest_online = false;
            // Another online node records it: it keeps it, unless this one does too and comes first.
            if (s->second.recording && !(keeps && self_ < name)) return false;
        }
    if (!online_here) return !other_online;  // nothing to record here; let an online one take it
    return keeps || smallest_online;
}

bool cluster_state::link_lost(clock::time_point now) const {
    return !link_up_ && now - link_down_since_ >= timings_.node_timeout;
}

bool cluster_state::fresh(const node_entry& n, clock::time_point now) const {
    return !n.left && now - n.last_seen < timings_.node_timeout && !link_lost(now);
}

std::string cluster_state::why_lost(const std::string& node, clock::time_point now) const {
    if (!link_up_) return "no connection to the NATS cluster";
    const auto it = nodes_.find(node);
    if (it != nodes_.end() && it->second.left) return "node " + node + " shut down";
    if (it == nodes_.end() || !fresh(it->second, now))
        return "node " + node + " stopped answering (no heartbeat for " + seconds_text(timings_.node_timeout) + " s)";
    return "node " + node + " no longer serves this stream";
}

bool cluster_state::room_for_node(const announce& newcomer, clock::time_point now) {
    if (nodes_.size() < bounds_.max_nodes) return true;
    // Never the owner of a stream watched here: it may be restarting, and its new run must find
    // its place (it needs none: it is known) rather than lose it to a newcomer.
    std::set<std::string> watched_owners;
    for (const auto& [stream, e] : remotes_)
        if (e.subscribed) watched_owners.insert(e.owner);
    const auto watches_ours = [&](const std::map<std::string, std::size_t>& watching) {
        return std::any_of(local_.begin(), local_.end(), [&](const auto& s) { return watching.contains(s); });
    };
    const auto kept = [&](const auto& entry) {
        return watched_owners.contains(entry.first) || watches_ours(entry.second.watching);
    };
    const auto older = [&](auto it, auto than) { return than == nodes_.end() || it->second.last_seen < than->second.last_seen; };
    auto oldest = nodes_.end();
    for (auto it = nodes_.begin(); it != nodes_.end(); ++it)
        if (!fresh(it->second, now) && !kept(*it) && older(it, oldest)) oldest = it;
    // A newcomer that watches one of our streams (a relay whose viewers wait for our frames)
    // may also take the place of a live node that neither watches ours nor owns one watched
    // here: a table filled first by nodes that only announce cannot keep the real ones out.
    if (oldest == nodes_.end() && watches_ours(newcomer.watching))
        for (auto it = nodes_.begin(); it != nodes_.end(); ++it)
            if (!kept(*it) && older(it, oldest)) oldest = it;
    if (oldest == nodes_.end()) return false;
    drop_node(oldest);  // its streams are lost already, or will be at this pass; why_lost says why
    return true;
}

std::vector<std::string> cluster_state::streams_to_evict(clock::time_point now) const {
    // Lost since when: marked lost, or its owner is silent (not marked yet in this pass).
    std::vector<std::pair<clock::time_point, std::string>> lost;
    for (const auto& [stream, e] : remotes_) {
        // Never one watched here: a flood can delay its owner's announces past the node timeout.
        if (e.subscribed) continue;
        if (e.lost_since) {
            lost.emplace_back(*e.lost_since, stream);
        } else if (const auto n = nodes_.find(e.owner); n == nodes_.end()) {
            lost.emplace_back(clock::time_point::min(), stream);
        } else if (!fresh(n->second, now)) {
            lost.emplace_back(n->second.last_seen, stream);
        }
    }
    std::sort(lost.begin(), lost.end(), std::greater<>());  // the one lost longest last
    std::vector<std::string> names;
    for (auto& entry : lost) names.push_back(std::move(entry.second));
    return names;
}

void cluster_state::evict(const std::string& stream, actions& out) {
    const auto it = remotes_.find(stream);
    out.forget.emplace_back(stream, "stream left the cluster");
    if (it->second.subscribed) {
        out.unsubscribe.push_back(stream);
        out.announce_now = true;
    }
    remotes_.erase(it);
}

std::vector<std::pair<const std::string*, const announced_stream*>> cluster_state::claims_of(const std::string& stream,
                                                                                          clock::time_point now) const {
    std::vector<std::pair<const std::string*, const announced_stream*>> out;
    const auto it = claimants_.find(stream);
    if (it == claimants_.end() || local_.contains(stream)) return out;
    for (const auto& name : it->second) {  // in node-name order
        const auto n = nodes_.find(name);
        if (n == nodes_.end() || !fresh(n->second, now)) continue;
        if (const auto s = n->second.streams.find(stream); s != n->second.streams.end()) out.emplace_back(&n->first, &s->second);
    }
    return out;
}

void cluster_state::drop_node(std::map<std::string, node_entry>::iterator it) {
    set_claims(it->first, it->second.streams, {});
    nodes_.erase(it);
}

void cluster_state::set_claims(const std::string& node, const std::map<std::string, announced_stream>& before,
                               const std::map<std::string, announced_stream>& after) {
    for (const auto& [stream, s] : before)
        if (!after.contains(stream))
            if (const auto it = claimants_.find(stream); it != claimants_.end() && it->second.erase(node) && it->second.empty())
                claimants_.erase(it);
    for (const auto& [stream, s] : after) claimants_[stream].insert(node);
}

void cluster_state::choose_owners(clock::time_point now, actions& out, const std::string* announcing) {
    // New streams: only the ones the node that just announced claims (every node announces each
    // second, so a stream that found no room gets another chance then), and names no longer
    // served here. Work per announce is
    // bounded by that node's streams and the streams shown, never by the whole cluster's claims.
    // While there is room they are added; when full, each takes the place of one lost longest.
    std::size_t refused = 0;
    std::optional<std::vector<std::string>> evictable;
    std::vector<std::string> candidates(unshadowed_.begin(), unshadowed_.end());
    unshadowed_.clear();
    const auto a = announcing ? nodes_.find(*announcing) : nodes_.end();
    if (a != nodes_.end() && fresh(a->second, now))
        for (const auto& [stream, claim] : a->second.streams) candidates.push_back(stream);
    for (const auto& stream : candidates) {
        if (remotes_.contains(stream) || local_.contains(stream) || claims_of(stream, now).empty()) continue;
        if (remotes_.size() >= bounds_.max_remote_streams) {
            if (!evictable) evictable = streams_to_evict(now);
            if (evictable->empty()) {
                ++refused;
                continue;
            }
            evict(evictable->back(), out);
            evictable->pop_back();
        }
        remotes_.try_emplace(stream);
    }
    std::uint64_t held = 0;
    if (refused > 0 && too_many_streams_log_.allow(now, held))
        spdlog::warn("cluster: {} streams of node {} not shown: this node shows at most {} remote streams{}", refused,
                     announcing ? *announcing : std::string("?"), bounds_.max_remote_streams,
                     held ? " (" + std::to_string(held) + " more such lines held back)" : "");
    for (auto& [stream, e] : remotes_) {
        if (!e.lost_since && !e.owner.empty()) {
            // Sticky: the owner stays while it is alive, in the same run, and still claims the stream,
            // unless it has no camera and another node has (a pushing camera configured on two
            // nodes pushes to one of them: whichever node was heard first must not hide it).
            const auto n = nodes_.find(e.owner);
            if (n != nodes_.end() && fresh(n->second, now) && n->second.epoch == e.epoch &&
                n->second.streams.contains(stream)) {
                const bool online = n->second.streams.at(stream).online;
                if (online) e.handover.clear();  // the new owner has the camera now
                const auto c = claims_of(stream, now);
                const bool other_online = std::any_of(c.begin(), c.end(), [](const auto& x) { return x.second->online; });
                if (online || !other_online) continue;
                e.handover.clear();  // left for a node that has the camera: nothing to explain
                e.owner.clear();
            }
        }
        const auto candidates = claims_of(stream, now);
        if (candidates.empty()) {
            if (!e.lost_since) {
                e.lost_reason = why_lost(e.owner, now);
                e.lost_since = now;
            }
            continue;
        }
        const auto online = std::find_if(candidates.begin(), candidates.end(), [](const auto& x) { return x.second->online; });
        const auto& chosen = online != candidates.end() ? *online : candidates.front();
        // Another node takes over from a lost owner: while it has no camera either, viewers are
        // still told what happened to the one they were watching.
        if (!e.owner.empty() && *chosen.first != e.owner)
            e.handover = e.lost_since ? e.lost_reason : why_lost(e.owner, now);
        e.owner = *chosen.first;
        e.epoch = nodes_.at(e.owner).epoch;
        e.lost_since.reset();
        e.lost_reason.clear();
    }
}

remote_view cluster_state::view_of(const std::string& stream, const remote_entry& e) const {
    remote_view v{stream, e.owner, e.epoch, {}, {}};
    if (e.lost_since) {
        v.status = stream_status::down(e.lost_reason);
        if (e.shown) {
            // What it was, until it comes back or is forgotten; and as closed as it was.
            v.info = e.shown->info;
            v.view_check = e.shown->view_check;
            v.control_check = e.shown->control_check;
        }
        return v;
    }
    const auto& s = nodes_.at(e.owner).streams.at(stream);
    std::string why = s.online || !s.reason.empty() ? s.reason : "offline on node " + e.owner;
    if (!s.online && !e.handover.empty()) why = e.handover + "; node " + e.owner + ": " + why;
    v.status = {s.online, s.online ? std::string() : why, s.message};
    v.info = {s.width, s.height, s.fps, "nats: node " + e.owner + (s.source.empty() ? "" : " (" + s.source + ")")};
    v.view_check = s.view_check;
    v.control_check = s.control_check;
    return v;
}

void cluster_state::reconcile(clock::time_point now, actions& out, const std::string* announcing) {
    choose_owners(now, out, announcing);
    for (auto it = remotes_.begin(); it != remotes_.end();) {
        auto& [stream, e] = *it;
        if (e.lost_since && now - *e.lost_since >= timings_.forget_after) {
            out.forget.emplace_back(stream, "stream left the cluster");
            if (e.subscribed) {
                out.unsubscribe.push_back(stream);
                out.announce_now = true;
            }
            it = remotes_.erase(it);
            continue;
        }
        auto v = view_of(stream, e);
        if (!e.shown || !same_view(*e.shown, v)) {
            out.upsert.push_back(v);
            e.shown = std::move(v);
        }
        ++it;
    }
    // Remote viewers of each local stream, for capture on demand.
    // (Looked up per local stream: a node's `watching` may name a thousand streams.)
    std::map<std::string, std::size_t> interest;
    for (const auto& [name, n] : nodes_) {
        if (!fresh(n, now)) continue;
        for (const auto& stream : local_)
            if (const auto w = n.watching.find(stream); w != n.watching.end()) interest[stream] += w->second;
    }
    for (const auto& stream : local_)
        if (remote_interest(stream) != (interest.contains(stream) ? interest.at(stream) : 0))
            out.interest_changed.push_back(stream);
    interest_ = std::move(interest);
    // Nodes gone for as long as a stream is remembered are forgotten too.
    for (auto it = nodes_.begin(); it != nodes_.end();) {
        if (!fresh(it->second, now) && now - it->second.last_seen >= timings_.forget_after) {
            drop_node(it++);
        } else {
            ++it;
        }
    }
}

}  // namespace wscam::cluster
