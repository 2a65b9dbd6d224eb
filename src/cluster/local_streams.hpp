#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cluster/messages.hpp"
#include "cluster/stream_bridges.hpp"
#include "core/stream.hpp"

namespace wscam::cluster {

/**
 * The streams this node serves, as the cluster sees them (the owner's side): each hub with its
 * `owner_sink` (the other nodes' viewers counted as its own; the newest frame kept for the
 * cluster thread), the numbers its frames go out with, and the verifiers of its tokens that
 * the announce carries.
 *
 * Numbers: a stream's frames go out with its hub's numbers, moved on so that they never go
 * back within this run of the node, even when a reload gives the stream a new hub (numbered
 * from 1 again): a relay of a signed cluster refuses a frame behind the last as a replay. Kept
 * by name across reloads, one entry per stream name served in this run.
 *
 * On the cluster thread or under the node's lock.
 */
class local_streams {
public:
    /** A frame to publish: the stream, the frame, and the number it goes out with. */
    struct outgoing_frame {
        std::string stream;
        frame_ptr frame;
        std::uint64_t sequence;
    };
    using sink_maker = std::function<std::shared_ptr<owner_sink>(const std::string& stream)>;
    /** This node's tokens (view, control) for a stream: options.tokens_for. */
    using tokens_fn = std::function<std::pair<std::string, std::string>(const std::string& stream)>;

    explicit local_streams(tokens_fn tokens_for) : tokens_for_(std::move(tokens_for)) {}

    /** The streams served now (a start or a reload): a hub kept keeps its sink; returns their names. */
    std::vector<std::string> set(const std::vector<std::shared_ptr<stream>>& hubs, const sink_maker& make_sink);
    std::vector<std::string> names() const;
    /** The hub of a stream served here, or null. */
    stream* hub_of(const std::string& stream) const;

    /** The viewers on other nodes of each stream (from `interest`); a change wakes the hub's demand. */
    void set_interest(const std::function<std::size_t(const std::string& stream)>& interest);
    /** A node started watching `stream`: its newest frame goes out again; returns the controls to send it, if served. */
    std::optional<std::vector<control_info>> new_watcher(const std::string& stream);

    /** The newest frame of each stream some node watches, once, numbered for this run. */
    std::vector<outgoing_frame> take_frames();
    /** The announce's part: each stream's status, info and token verifiers. */
    std::vector<announced_stream> announced();

    /** The node stops: the sinks leave their hubs. */
    void unsubscribe_all();

private:
    struct served {
        std::shared_ptr<stream> hub;
        std::shared_ptr<owner_sink> sink;
    };
    struct run_numbering {
        std::uint64_t last = 0, offset = 0;
        std::uint64_t number(std::uint64_t hub_sequence);
    };
    /** The verifiers of this node's tokens for a stream, made once per token (PBKDF2 takes milliseconds). */
    std::pair<std::string, std::string> verifiers_for(const std::string& stream);

    tokens_fn tokens_for_;
    std::map<std::string, served> streams_;
    std::map<std::string, run_numbering> numbers_;
    std::map<std::string, std::string> verifiers_;  // token -> its verifier; tokens stay in memory only
};

/**
 * A frame's bytes as they go out: its wscam.v1 framing, with the header's sequence replaced
 * when the run's number differs from the hub's (a copy into `scratch`); else a view, no copy.
 */
std::span<const std::uint8_t> framed_as(const frame& f, std::uint64_t sequence, std::vector<std::uint8_t>& scratch);

}  // namespace wscam::cluster
