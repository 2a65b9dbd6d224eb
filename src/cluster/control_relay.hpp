#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "cluster/cluster_state.hpp"
#include "cluster/mailbox.hpp"
#include "cluster/subjects.hpp"
#include "cluster/transport.hpp"
#include "core/rate_limit.hpp"
#include "core/stream.hpp"

namespace wscam {
class publisher_protocol;
}

namespace wscam::cluster {

/**
 * Control changes across the cluster, both ends; the owner's controls speak the publisher
 * protocol on the wire (docs/PROTOCOL.md, "Cluster"):
 * - relay: a viewer's change to a remote stream goes to the stream's chosen owner as a request,
 *   addressed to its node and run (`request`); the owner's controls list, changes and answers
 *   come back and reach the remote stream's publisher_protocol only from that same run.
 * - owner: a relay's request addressed to this node is applied to the local stream and answered.
 *
 * Invariant: a message is judged (addressee or sender, size) on nats.c's thread before anything
 * is copied, so a flood from a peer costs a lookup, not memory; what passes is copied into a job
 * for the cluster thread, whose queue is bounded by bytes (mailbox).
 *
 * `admit_*` run on nats.c's threads; the rest on the cluster thread.
 */
class control_relay {
public:
    /** A relay's request for one of our streams. */
    struct request {
        std::string stream, reply, text;
    };
    /** The owner's controls message for one of our remote streams, from the run that sent it. */
    struct owner_message {
        std::string stream, node, epoch, text;
    };
    /** A control list or change is far smaller; a publisher's hello too. */
    static constexpr std::size_t max_bytes = 256 * 1024;

    /** `node`, `epoch`: this run of this node, which a request must be addressed to. */
    control_relay(std::string node, std::string epoch, subjects names, std::string reply_prefix)
        : node_(std::move(node)), epoch_(std::move(epoch)), names_(std::move(names)), reply_prefix_(std::move(reply_prefix)) {}

    /** The subject our requests' answers come back on (one wildcard subscription: reply_prefix + "*"). */
    const std::string& reply_prefix() const { return reply_prefix_; }

    // --- nats.c's threads
    /**
     * A request on <prefix>.control.<stream>: ours when its Wscam-Node and Wscam-Epoch headers
     * name this run of this node (a request for an earlier run, or for a run a peer made up, is
     * not applied).
     */
    std::optional<request> admit_request(const incoming& in);
    /** On <prefix>.controls.<stream> (`reply`: an answer on our reply prefix): only from the chosen owner's run. */
    std::optional<owner_message> admit_owner_message(const incoming& in, bool reply);
    /** A job was refused because the queue is full: say so (rate-limited). */
    void busy();

    // --- the cluster thread
    /** Who speaks for a remote stream now (nullopt: nobody; it left). */
    void set_owner(const std::string& stream, const std::optional<std::pair<std::string, std::uint64_t>>& owner);
    /**
     * Owner: applies a request to `local` (null: not ours any more) and answers it with `send`
     * (maybe later, from the control worker's thread: it must outlive nothing).
     */
    void answer(const request& r, stream* local, std::function<void(mailbox::outgoing)> send);
    /** Relay: passes the owner's message to the stream's controls, if it still comes from the chosen owner. */
    void pass_on(const owner_message& m, const std::optional<std::pair<std::string, std::uint64_t>>& owner,
                 publisher_protocol* controls);
    /** Relay: a viewer's change, addressed to the owner's run; nullopt when the stream has no owner now. */
    std::optional<mailbox::outgoing> to_owner(const std::string& stream, std::string text,
                                              const std::optional<std::pair<std::string, std::uint64_t>>& owner) const;

    void refused(const std::string& what, const std::string& stream, const std::string& why);

private:
    bool from_owner(const std::string& stream, std::string_view node, std::string_view epoch);

    std::string node_, epoch_;
    subjects names_;
    std::string reply_prefix_;
    // The chosen owner (node, epoch as sent) of each remote stream, for nats.c's threads to check
    // a message's sender before copying it; written by the cluster thread.
    std::mutex owners_mutex_;
    std::map<std::string, std::pair<std::string, std::string>> owners_;
    std::mutex log_mutex_;
    rate_limit log_{std::chrono::seconds(5)};
};

}  // namespace wscam::cluster
