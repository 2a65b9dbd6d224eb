#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/transport.hpp"

namespace wscam::cluster {

/**
 * wscam's connection to a NATS cluster (nats.c): the only place that includes nats.h.
 *
 * Never waits for a server: it connects in the background and keeps trying, forever, in the
 * order given (the first URL is this node's own NATS server), and fails over to the next one
 * when its server goes away (nats.c re-subscribes). Publishing happens only while connected:
 * nats.c would otherwise buffer up to 8 MB of frames during a reconnect and send them stale.
 * Socket writes have a 2 s deadline, so a stuck server cannot hold the publishing thread.
 *
 * Callbacks (connection events, subscription handlers) run on nats.c's threads: they must be
 * quick and must not call back into this link's close or destroy.
 */
class nats_link final : public transport {
public:
    /**
     * `urls`: nats://[user:pass@]host:port; `name` shows in the server's /connz. With a
     * `secret` (--cluster-secret-file), every message sent is signed (Wscam-Time, Wscam-Sig:
     * message_signature) and every message received without a valid signature less than a
     * minute old is dropped before a handler sees it (counted, logged at most once a minute).
     */
    nats_link(const std::vector<std::string>& urls, const std::string& name, events on, std::string secret = {});
    ~nats_link() override;
    nats_link(const nats_link&) = delete;
    nats_link& operator=(const nats_link&) = delete;

    bool connected() const override;
    bool gave_up() const override;
    /** The server's max_payload (headers + data); 0 while not connected. */
    std::int64_t max_payload() const override;

    /** Why the last publish that did not return ok failed (for logs). */
    std::string last_error() const;

    /**
     * While not connected: why the last attempt failed ("Authorization Violation", "No Server
     * Available", …), empty if nats.c has not said. Connection attempts run in nats.c's own
     * thread and report nothing else.
     */
    std::string connection_error() const override;

    const std::string& inbox() const override { return inbox_; }

    /** Releases nats.c's global threads and memory: once, at exit, after every link is gone. */
    static void shutdown_library();

    struct impl;
    struct nats_subscription;

private:
    /** Writes to the socket on the caller's thread. */
    sent do_publish(const std::string& subject, std::span<const std::uint8_t> data, std::string_view node,
                    std::string_view epoch, const std::string& reply) override;
    /** Pending limits of 0: nats.c's defaults, 65,536 messages and 64 MiB; beyond them nats.c drops new ones. */
    std::unique_ptr<subscription> do_subscribe(const std::string& subject, std::function<void(const incoming&)> handler,
                                               int pending_msgs, std::string* error,
                                               std::int64_t pending_bytes) override;

    std::unique_ptr<impl> impl_;
    std::string inbox_;
};

}  // namespace wscam::cluster
