#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wscam::cluster {

/** A message as a subscription handler sees it; valid only during the call. */
struct incoming {
    std::string_view subject;
    std::string_view reply;
    std::span<const std::uint8_t> data;
    std::string_view node;   // the Wscam-Node header, or empty
    std::string_view epoch;  // the Wscam-Epoch header, or empty
};

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
class nats_link {
public:
    struct events {
        std::function<void(const std::string& url)> connected;     // first connection and every reconnection
        std::function<void()> disconnected;
        std::function<void(const std::string& what)> error;        // e.g. a slow consumer: "… dropped messages"
        /** nats.c gave up for good (a server refused the credentials twice): why. Not when we close it. */
        std::function<void(const std::string& why)> closed;
    };

    /**
     * `urls`: nats://[user:pass@]host:port; `name` shows in the server's /connz. With a
     * `secret` (--cluster-secret-file), every message sent is signed (Wscam-Time, Wscam-Sig:
     * message_signature) and every message received without a valid signature less than a
     * minute old is dropped before a handler sees it (counted, logged at most once a minute).
     */
    nats_link(const std::vector<std::string>& urls, const std::string& name, events on, std::string secret = {});
    ~nats_link();
    nats_link(const nats_link&) = delete;
    nats_link& operator=(const nats_link&) = delete;

    bool connected() const;
    /** nats.c closed the connection for good (events.closed said why); nothing more will work. */
    bool gave_up() const;
    /** The server's max_payload (headers + data); 0 while not connected. */
    std::int64_t max_payload() const;

    enum class sent { ok, not_connected, too_large, failed };
    /**
     * Publishes `data` on `subject`, with the Wscam-Node/Wscam-Epoch headers when `node` is
     * given, and a reply subject when `reply` is. Writes to the socket on the caller's thread.
     */
    sent publish(const std::string& subject, std::span<const std::uint8_t> data, std::string_view node = {},
                 std::string_view epoch = {}, const std::string& reply = {});

    /** Why the last publish that did not return ok failed (for logs). */
    std::string last_error() const;

    /**
     * While not connected: why the last attempt failed ("Authorization Violation", "No Server
     * Available", …), empty if nats.c has not said. Connection attempts run in nats.c's own
     * thread and report nothing else.
     */
    std::string connection_error() const;

    /** Unsubscribes when destroyed; destroy every subscription before the link. */
    class subscription {
    public:
        ~subscription();
        subscription(const subscription&) = delete;
        subscription& operator=(const subscription&) = delete;
        struct impl;
        explicit subscription(std::unique_ptr<impl> i);

    private:
        std::unique_ptr<impl> impl_;
    };

    /**
     * Subscribes to `subject` (wildcards allowed). At most `pending_msgs` messages and
     * `pending_bytes` bytes wait for the handler (0: nats.c's defaults, 65,536 and 64 MiB); beyond
     * that nats.c drops new ones and `events.error` hears of it once per episode. Returns null
     * (and says why in `error`) when it cannot.
     */
    std::unique_ptr<subscription> subscribe(const std::string& subject, std::function<void(const incoming&)> handler,
                                            int pending_msgs = 0, std::string* error = nullptr,
                                            std::int64_t pending_bytes = 0);

    /** This connection's inbox prefix for replies: "_INBOX.<unique>". */
    const std::string& inbox() const { return inbox_; }

    /** Releases nats.c's global threads and memory: once, at exit, after every link is gone. */
    static void shutdown_library();

    struct impl;

private:
    std::unique_ptr<impl> impl_;
    std::string inbox_;
};

}  // namespace wscam::cluster
