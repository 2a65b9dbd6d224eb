#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "events/motion_event.hpp"

namespace wscam::events {

/** One `[[webhook]]`: where events are POSTed and how. */
struct webhook_settings {
    std::string url;                   // http:// or https:// (checked by the options)
    std::string secret;                // HMAC key; empty: no signature header
    std::vector<std::string> streams;  // only these streams' events; empty: every stream's
    std::chrono::milliseconds timeout{5000};  // each attempt, from the name lookup to the answer's last byte
    int retries = 3;                   // after the first attempt: 1 s, 2 s, 4 s ... apart
    std::string version;               // wscam's, in the User-Agent
};

/** What a webhook did, for logs and tests. */
struct webhook_stats {
    std::uint64_t delivered = 0;
    std::uint64_t failed = 0;   // every attempt failed
    std::uint64_t dropped = 0;  // the queue was full
};

/**
 * POSTs each event's start and end to a URL: the body is the viewers' `event` message (JSON), with
 * `X-Wscam-Signature-256: sha256=HEX` (HMAC-SHA256 of the body with the hook's secret, as GitHub
 * signs its webhooks), `X-Wscam-Event: motion` and `X-Wscam-Delivery: STREAM-ID-start|end`. A 2xx
 * answer delivers it; anything else (another status, a refused or hung connection, a timeout) is
 * tried again after 1, 2, 4 ... s, up to `retries` times, then counted as failed. Logged once per
 * change of state (failing, delivering again), never the secret or the URL's password.
 *
 * A thread of its own runs Asio: up to 4 deliveries at once, so one that hangs delays the next
 * event by nothing; at most 64 wait, beyond that a notice is dropped and counted.
 */
class webhook_output : public event_output {
public:
    explicit webhook_output(webhook_settings settings);
    ~webhook_output() override;  // deliveries in progress are abandoned
    webhook_output(const webhook_output&) = delete;
    webhook_output& operator=(const webhook_output&) = delete;

    void deliver(const notice& n) override;
    webhook_stats stats() const;
    const webhook_settings& settings() const { return settings_; }

    static constexpr std::size_t max_parallel = 4;
    static constexpr std::size_t max_waiting = 64;

private:
    struct impl;
    webhook_settings settings_;
    std::unique_ptr<impl> impl_;
};

/** The signature header's value for `body`: "sha256=" and 64 hex digits. */
std::string webhook_signature(const std::string& secret, const std::string& body);

}  // namespace wscam::events
