#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

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
 * What a cluster node needs of the messaging between nodes: publish, subscribe (NATS subjects
 * and wildcards), and whether it is connected. `nats_link` is the real one; `loopback_transport`
 * hands messages over in memory, so that tests and the fuzz target drive a whole node (its
 * queues, its cluster thread, its streams) without a server.
 *
 * Handlers run on the transport's own threads (nats.c's delivery thread): quick, and never
 * calling back into the transport's destruction.
 */
class transport {
public:
    struct events {
        std::function<void(const std::string& url)> connected;     // first connection and every reconnection
        std::function<void()> disconnected;
        std::function<void(const std::string& what)> error;        // e.g. a slow consumer: "… dropped messages"
        /** The transport gave up for good (a server refused the credentials twice): why. Not when we close it. */
        std::function<void(const std::string& why)> closed;
    };

    /** Unsubscribes when destroyed; destroy every subscription before the transport. */
    class subscription {
    public:
        virtual ~subscription() = default;
    };

    virtual ~transport() = default;

    virtual bool connected() const = 0;
    /** Closed for good (events.closed said why); nothing more will work. */
    virtual bool gave_up() const = 0;
    /** The largest message (headers + data) the server takes; 0 while not connected. */
    virtual std::int64_t max_payload() const = 0;

    enum class sent { ok, not_connected, too_large, failed };
    /**
     * Publishes `data` on `subject`, with the Wscam-Node/Wscam-Epoch headers when `node` is
     * given, and a reply subject when `reply` is, on the caller's thread.
     */
    sent publish(const std::string& subject, std::span<const std::uint8_t> data, std::string_view node = {},
                 std::string_view epoch = {}, const std::string& reply = {}) {
        return do_publish(subject, data, node, epoch, reply);
    }

    /** While not connected: why the last attempt failed, empty if nothing was said. */
    virtual std::string connection_error() const = 0;

    /**
     * Subscribes to `subject` (wildcards allowed). At most `pending_msgs` messages and
     * `pending_bytes` bytes wait for the handler (0: the transport's defaults); beyond that new
     * ones are dropped and `events.error` hears of it. Null (and why in `error`) when it cannot.
     */
    std::unique_ptr<subscription> subscribe(const std::string& subject, std::function<void(const incoming&)> handler,
                                            int pending_msgs = 0, std::string* error = nullptr,
                                            std::int64_t pending_bytes = 0) {
        return do_subscribe(subject, std::move(handler), pending_msgs, error, pending_bytes);
    }

    /** This connection's inbox prefix for replies: "_INBOX.<unique>". */
    virtual const std::string& inbox() const = 0;

protected:
    // The two calls with defaults, implemented (defaults on virtual functions would bind statically).
    virtual sent do_publish(const std::string& subject, std::span<const std::uint8_t> data, std::string_view node,
                            std::string_view epoch, const std::string& reply) = 0;
    virtual std::unique_ptr<subscription> do_subscribe(const std::string& subject,
                                                       std::function<void(const incoming&)> handler, int pending_msgs,
                                                       std::string* error, std::int64_t pending_bytes) = 0;
};

}  // namespace wscam::cluster
