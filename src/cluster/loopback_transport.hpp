#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cluster/transport.hpp"

namespace wscam::cluster {

/** NATS subject matching: tokens split by '.', `*` matches one token, a final `>` one or more. */
bool subject_matches(std::string_view pattern, std::string_view subject);

/**
 * A transport that hands messages over in memory, for tests and the fuzz target: a whole
 * cluster_node (its queues, its thread, its streams) runs against it without a NATS server.
 *
 * What the node publishes is kept in `published()` (the "wire"), not delivered back: a test or fuzz
 * target reads it, and plays the other nodes with `deliver`, which calls the matching handlers
 * on the caller's thread as nats.c's delivery thread would. No signatures: what a node
 * without a cluster secret hears, which is the most a NATS peer can reach.
 *
 * Thread-safe. Always connected, max_payload 8 MiB (the README's nats-server.conf).
 */
class loopback_transport final : public transport {
public:
    struct message {
        std::string subject, reply, node, epoch;
        std::vector<std::uint8_t> data;
    };

    explicit loopback_transport(std::string inbox = "_INBOX.loopback") : inbox_(std::move(inbox)) {}

    bool connected() const override { return true; }
    bool gave_up() const override { return false; }
    std::int64_t max_payload() const override { return 8 * 1024 * 1024; }
    std::string connection_error() const override { return {}; }
    const std::string& inbox() const override { return inbox_; }

    /** Calls every handler subscribed to a matching subject; returns how many. */
    std::size_t deliver(const message& m);
    /** What was published so far, oldest first; at most `max_kept` are kept (the oldest go). */
    std::vector<message> published() const;
    std::vector<message> take_published();
    static constexpr std::size_t max_kept = 4096;

private:
    sent do_publish(const std::string& subject, std::span<const std::uint8_t> data, std::string_view node,
                    std::string_view epoch, const std::string& reply) override;
    std::unique_ptr<subscription> do_subscribe(const std::string& subject, std::function<void(const incoming&)> handler,
                                               int pending_msgs, std::string* error,
                                               std::int64_t pending_bytes) override;

    struct entry {
        std::string subject;
        std::shared_ptr<std::function<void(const incoming&)>> handler;
    };
    class loopback_subscription;

    std::string inbox_;
    mutable std::mutex mutex_;
    std::map<std::uint64_t, entry> subscriptions_;
    std::uint64_t next_id_ = 1;
    std::vector<message> published_;
};

}  // namespace wscam::cluster
