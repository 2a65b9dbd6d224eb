#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cluster/cluster_state.hpp"
#include "cluster/transport.hpp"
#include "core/stream.hpp"
#include "core/token_check.hpp"

namespace wscam::cluster {

struct node_options {
    std::vector<std::string> urls;  // nats://…, this node's own server first
    std::string node;               // valid_node_name
    std::size_t max_frame_bytes = 4 * 1024 * 1024;
    std::uint64_t max_frame_pixels = 40'000'000;
    timings times{};
    bounds limits{};
    /** --cluster-secret-file's content: every message signed and checked with it (nats_link); empty: none. */
    std::string secret = {};
    /** --advertise-url: where this node serves clients, in its announces (valid_advertise_url); empty: not said. */
    std::string url = {};
    /** Whether this node records a stream it serves now (record::recordings::records): said in its announce. */
    std::function<bool(const std::string& name)> records = {};
    /**
     * The cluster's word on recording a stream this node serves (record::recordings::hold): held
     * while another node serving a stream of that name records it (cluster_state::should_record),
     * and every stream until the node has heard the others (the node timeout after it starts).
     */
    std::function<void(const std::string& name, bool held)> hold_recording = {};
    /**
     * How a remote stream the cluster forgot leaves this server (server::remove_stream: its
     * viewers are closed, and its hub, newest frame, viewer groups and H.264 renditions are
     * released). Unset: it only leaves the registry (tests without a server).
     */
    std::function<void(const std::string& name, const std::string& reason)> remove_stream = {};
    /** This node's tokens (view, control) for a stream it serves: their verifiers go in its announce. */
    std::function<std::pair<std::string, std::string>(const std::string& name)> tokens_for = {};
    /**
     * What a remote stream requires here (the owner's verifiers: view, control), set before the
     * stream is reachable and cleared after it is gone (server::set_relayed_access).
     */
    std::function<void(const std::string& name, std::optional<std::pair<token_check, token_check>> checks)>
        set_relayed_access = {};
    /** Unset: NATS (nats_link, through `urls`, with `secret`). Tests and the fuzz target hand a loopback_transport. */
    std::function<std::unique_ptr<transport>(transport::events)> make_transport = {};
};

/**
 * This wscam node in a cluster of nodes that share their streams through NATS (design in
 * docs/ARCHITECTURE.md, subjects and messages in docs/PROTOCOL.md).
 *
 * - Every second (and at once on a change) it announces the streams it owns, with their status,
 *   and how many of its viewers watch each remote stream.
 * - From the others' announces it keeps a remote stream in the registry for each stream of the
 *   cluster it does not own: viewers, /api/streams, snapshots and MJPEG treat it like a local one.
 *   While a remote stream has viewers here, it subscribes to its frames and publishes them into
 *   the stream, numbered by this node (the owner's numbers only order them on the way) with the
 *   owner's capture times.
 * - A local stream's frames go out only while another node watches it; that interest counts as
 *   viewers of the local hub, so the camera captures while anyone in the cluster watches.
 *
 * One thread of its own publishes (nats.c writes to the socket on the caller's thread, so no
 * source or I/O thread ever does); nats.c's threads deliver. A frame waiting to be published is
 * replaced by a newer one (latest wins); a node that falls behind loses frames, never queues.
 */
class cluster_node {
public:
    cluster_node(node_options options, std::shared_ptr<stream_registry> registry);
    ~cluster_node();
    cluster_node(const cluster_node&) = delete;
    cluster_node& operator=(const cluster_node&) = delete;

    /** Connects in the background and starts the cluster thread. */
    void start();
    /** Says it is leaving (others show its streams offline at once), then disconnects. */
    void stop();

    /** The streams this node serves itself (at start and after every reload). */
    void set_local_streams(const std::vector<std::shared_ptr<stream>>& hubs);
    /** A name about to become a local stream: its remote stream, if any, leaves the registry first. */
    void release(const std::string& name);
    /** Where a remote stream's recordings are (cluster_state::recordings_home): its owner and that node's address. Any thread. */
    std::optional<std::pair<std::string, std::string>> recordings_home(const std::string& name);

    /**
     * Returns true once the cluster thread has run a pass that began after this call: what was
     * handed to it before (announces, messages, jobs) is applied and what it had to send is
     * queued or sent. False after `limit`, or when stopped or its queue is full. For tests.
     */
    bool sync(std::chrono::milliseconds limit = std::chrono::seconds(5));

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace wscam::cluster
