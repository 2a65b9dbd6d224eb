#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cluster/messages.hpp"
#include "core/rate_limit.hpp"
#include "core/stream.hpp"

namespace wscam::cluster {

using clock = std::chrono::steady_clock;

/** How long the cluster waits for what (design §4.5). */
struct timings {
    std::chrono::milliseconds heartbeat{1000}, node_timeout{3500}, unsubscribe_linger{2000}, forget_after{600000},
        control_timeout{3000};
};

/**
 * How much of the cluster one node follows: anyone who can publish on the cluster's NATS can
 * announce nodes and streams, and each costs memory, a hub and work on every announce.
 */
struct bounds {
    std::size_t max_nodes = 64;             // other nodes followed at once (a silent one makes room)
    std::size_t max_remote_streams = 1024;  // remote streams shown (one lost longest, unwatched here, makes room)
};

/** What a relay shows for a remote stream: its owner, and the status and info to give its hub. */
struct remote_view {
    std::string stream, owner;
    std::uint64_t epoch = 0;
    stream_status status;  // reason already phrased ("node A shut down", ...)
    stream_info info;      // source: "nats: node A (testsrc:)"
    std::string view_check = {}, control_check = {};  // the owner's token verifiers (kept while it is lost)
};

/** What the glue must do after an input or a tick. */
struct actions {
    std::vector<remote_view> upsert;                          // add to the registry if new; set_info/set_status
    std::vector<std::pair<std::string, std::string>> forget;  // (stream, reason): hub->remove + registry take
    std::vector<std::string> subscribe, unsubscribe;          // frame subscriptions of remote streams
    std::vector<std::string> interest_changed;                // local streams: hub->demand_changed()
    std::vector<std::string> new_watchers;                    // local streams: republish latest frame + controls
    bool announce_now = false;                                // a change others must hear of, or the heartbeat
};

/**
 * The cluster as this node sees it, from the announces of the others: which node owns each
 * remote stream (sticky while it is alive; else online claimants first, then the smallest node
 * name), what relays show for it, when a node is gone, which remote streams this node
 * subscribes to (with a linger), and how many remote viewers each local stream has.
 *
 * Pure: no NATS, no hubs, no clock of its own (every call takes `now`). Not thread-safe: the
 * caller holds its own mutex around every call, including the const ones.
 */
class cluster_state {
public:
    cluster_state(std::string self, std::uint64_t epoch, timings t = {}, bounds b = {});

    /**
     * The streams this node serves itself; a local name shadows a remote one. Remote entries of
     * these names are dropped without actions: the glue released them before (design §4.6).
     */
    void set_local_streams(std::vector<std::string> names);
    /** Where this node serves clients (--advertise-url), said in its announces; empty: not said. */
    void set_url(std::string url) { url_ = std::move(url); }

    /**
     * Where a stream's recordings are being made, when not here: the node that announces it
     * records the stream (the first by name), else for a remote stream its owner; and the address
     * that node announced (empty if none, or if it is this node's own). nullopt: here (this node
     * records it, or serves it and nobody else records it) or a stream the cluster does not know.
     */
    std::optional<std::pair<std::string, std::string>> recordings_home(const std::string& stream, bool recording_here,
                                                                      clock::time_point now) const;

    /**
     * Whether this node should record its own stream `stream` now, when other nodes serve a
     * stream of that name too (a camera configured on two nodes): one of them records it, so it
     * is never recorded twice. The rule, which every such node works out alike from the same
     * announces: a node that records it and is online keeps it (between two that do, the
     * smallest name); when none does, the smallest name among the online ones starts. A node
     * serving it alone records it. `online_here`, `recording_here`: this node's stream.
     */
    bool should_record(const std::string& stream, bool online_here, bool recording_here, clock::time_point now) const;

    /**
     * Another node's heartbeat. Ignores our own (and logs an error, at most once a minute, when
     * another node uses our name), one older than the last of the same run (a replay or a late
     * one), and a new node while max_nodes others are alive (logged at most once a minute).
     */
    actions on_announce(const announce& a, clock::time_point now);

    /** Viewers on this node of a remote stream: 0→n subscribes at once, n→0 unsubscribes after the linger. */
    actions set_local_viewers(const std::string& remote_stream, std::size_t n, clock::time_point now);

    /** The NATS connection went down or came back (a reconnect announces at once). */
    actions on_link(bool up, clock::time_point now);

    /** Expiries (nodes, lingers, forgetting) and the heartbeat; call it every ~250 ms. */
    actions tick(clock::time_point now);

    /** Viewers of a local stream on other nodes (fresh announces only). */
    std::size_t remote_interest(const std::string& local_stream) const;

    /** The (node, epoch) whose frames a remote stream accepts; nullopt while it has no owner. */
    std::optional<std::pair<std::string, std::uint64_t>> owner(const std::string& stream) const;

    /**
     * This node's next announce: node, epoch, the next seq, `owned`, and `watching` (each
     * subscribed remote stream with its viewers; a lingering one counts 1, so the owner keeps
     * capturing through a page reload). Empty `watching` when leaving.
     */
    announce make_announce(std::vector<announced_stream> owned, bool leaving);

private:
    struct node_entry {
        std::uint64_t epoch = 0;
        std::uint64_t seq = 0;  // of the last announce taken
        clock::time_point last_seen;
        bool left = false;  // said "leaving"
        std::map<std::string, announced_stream> streams;
        std::map<std::string, std::size_t> watching;
        std::string url;  // its announce's "url"
    };
    struct remote_entry {
        std::string owner;  // the chosen node, or the last one while lost
        std::uint64_t epoch = 0;
        std::optional<clock::time_point> lost_since;  // no claimant since then
        std::string lost_reason;
        std::string handover;  // why the previous owner was left, while the next one is offline
        std::optional<remote_view> shown;  // what the glue was last told
        std::size_t viewers = 0;           // on this node
        bool subscribed = false;
        std::optional<clock::time_point> linger_until;
    };

    bool fresh(const node_entry& n, clock::time_point now) const;
    bool link_lost(clock::time_point now) const;
    std::string why_lost(const std::string& node, clock::time_point now) const;
    /**
     * Brings ownership, views and interest up to date with `now`; adds what changed to `out`.
     * `announcing`: the node just heard, whose new streams may be shown now.
     */
    void reconcile(clock::time_point now, actions& out, const std::string* announcing = nullptr);
    void choose_owners(clock::time_point now, actions& out, const std::string* announcing);
    /** The fresh nodes claiming a stream (not a local one), in node-name order. */
    std::vector<std::pair<const std::string*, const announced_stream*>> claims_of(const std::string& stream,
                                                                                  clock::time_point now) const;
    /** Keeps claimants_ in step with a node's streams going from `before` to `after`. */
    void set_claims(const std::string& node, const std::map<std::string, announced_stream>& before,
                    const std::map<std::string, announced_stream>& after);
    void drop_node(std::map<std::string, node_entry>::iterator it);
    /**
     * Remote streams whose owner is gone and that nobody here watches, the one lost longest last:
     * the ones a new stream may replace when full.
     */
    std::vector<std::string> streams_to_evict(clock::time_point now) const;
    /** Forgets a remote stream at once (to make room): the glue removes it. */
    void evict(const std::string& stream, actions& out);
    /** Room for one more node: drops the one silent longest if full; false if all are alive. */
    /** Whether `newcomer` (a node not in the table) finds a place; makes one if it may (see the .cpp). */
    bool room_for_node(const announce& newcomer, clock::time_point now);
    remote_view view_of(const std::string& stream, const remote_entry& e) const;

    std::string self_;
    std::string url_;
    std::uint64_t epoch_;
    timings timings_;
    bounds bounds_;
    std::uint64_t seq_ = 0;
    std::set<std::string> local_;
    std::map<std::string, node_entry> nodes_;
    std::map<std::string, remote_entry> remotes_;
    // Stream -> the nodes whose last announce claims it: ownership is worked out per stream shown,
    // not by walking every node's every stream at each announce (50 nodes x 1,000 streams).
    std::map<std::string, std::set<std::string>> claimants_;
    std::set<std::string> unshadowed_;  // names that stopped being local: shown again if claimed
    std::map<std::string, std::size_t> interest_;  // local stream -> remote viewers last reported
    bool link_up_ = true;                           // until told otherwise
    clock::time_point link_down_since_;
    std::optional<clock::time_point> next_heartbeat_;
    rate_limit same_name_log_{std::chrono::minutes(1)};  // another node with our name
    rate_limit too_many_nodes_log_{std::chrono::minutes(1)};    // nodes over the bound
    rate_limit too_many_streams_log_{std::chrono::minutes(1)};  // streams over the bound
};

}  // namespace wscam::cluster
