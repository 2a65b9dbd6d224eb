#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cluster/cluster_node.hpp"
#include "cluster/cluster_state.hpp"
#include "cluster/stream_bridges.hpp"
#include "cluster/subjects.hpp"
#include "cluster/transport.hpp"
#include "core/rate_limit.hpp"
#include "core/stream.hpp"
#include "core/token_check.hpp"
#include "protocol/publisher_protocol.hpp"

namespace wscam::cluster {

/**
 * The streams of other nodes that this node shows (a relay's side), each just another source
 * of a local hub: its registry entry and hub, the feed and subscription that bring the owner's
 * frames, the owner's controls (spoken like a publisher's), and what the owner requires to
 * watch and control it, set on the server before the stream is reachable and cleared after it
 * is gone. Kept as cluster_state decides (upsert, subscribe, unsubscribe, forget).
 *
 * Its log lines are bounded twice: per stream (a stream flipped online and offline by announces
 * logs a burst of 5, then one per 5 s) and per pass (20 lines; a node going silent with a
 * thousand streams would otherwise cost a thousand lines, at a few ms each).
 *
 * On the cluster thread, under the node's lock.
 */
class remote_streams {
public:
    struct hooks {
        std::function<bool(std::function<void()> job)> post;  // run on the cluster thread (the controls' answers)
        std::function<void(const std::string& stream, std::string text)> request_control;  // a viewer's change, to the owner
        std::function<void()> wake;  // a viewer arrived: the cluster thread subscribes
        std::function<void(const std::string& stream, const std::optional<std::pair<std::string, std::uint64_t>>& owner)>
            owner_changed;  // control_relay::set_owner
    };
    remote_streams(const node_options& options, std::shared_ptr<stream_registry> registry, hooks h)
        : options_(options), registry_(std::move(registry)), hooks_(std::move(h)) {}

    /** Does what cluster_state decided; `link` subscribes to frames. Ends the pass's log budget. */
    void apply(const actions& todo, const cluster_state& state, transport& link);
    /** Takes a stream out as a reload's removal does (its viewers closed, its hub released); false if not shown. */
    bool forget(const std::string& name, const std::string& reason);
    /** The lines held back in this pass, in one line. */
    void end_pass();

    /** Viewers here of each remote stream (what the node announces it watches). */
    std::vector<std::pair<std::string, std::size_t>> viewer_counts() const;
    /** The owners' controls whose changes have waited too long give up. */
    void expire(std::chrono::steady_clock::time_point now);
    /** The owner's controls of a stream, or null. */
    publisher_protocol* controls_of(const std::string& name);
    /** The node stops: no more frames, controls or viewer wake-ups (the streams stay until the server goes). */
    void close_all();

private:
    struct relayed {
        std::shared_ptr<stream> hub;
        std::shared_ptr<remote_feed> feed;
        std::shared_ptr<demand_watch> watch;
        std::unique_ptr<transport::subscription> frames;
        std::unique_ptr<publisher_protocol> controls;  // the owner's controls, spoken like a publisher's
        std::string owner;                              // the node last shown as its owner
        token_bucket log_budget{0.2, 5};                // its state-change lines
        std::uint64_t log_held = 0;
        std::string view_check, control_check;  // what the server was last told it requires
    };
    using iterator = std::map<std::string, relayed>::iterator;

    /** A new remote stream: access first, then the registry entry; end() when it cannot be shown. */
    iterator add(const remote_view& v);
    void update(relayed& r, const remote_view& v, bool created, const cluster_state& state);
    void subscribe(const std::string& name, transport& link);
    void forget(iterator it, const std::string& reason);
    /** What the owner requires to watch and control a stream, on this node too. */
    void relay_access(const remote_view& v);
    /** A verifier as a token_check, one per text: streams with the same owner token share its cache of the last match. */
    token_check check_of(const std::string& text);
    static bool may_log(relayed& r);
    /** " (N earlier changes not logged)" once after lines were held back, else nothing. */
    static std::string held_lines(relayed& r);
    bool pass_may_log();

    const node_options& options_;
    std::shared_ptr<stream_registry> registry_;
    hooks hooks_;
    subjects subjects_;
    std::map<std::string, relayed> streams_;
    std::map<std::string, token_check> checks_;  // verifier text -> its check
    static constexpr std::size_t max_pass_lines = 20;
    std::size_t pass_lines_ = 0, pass_held_ = 0;
};

}  // namespace wscam::cluster
