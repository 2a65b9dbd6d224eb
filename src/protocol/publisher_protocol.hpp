#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/stream.hpp"
#include "protocol/publisher_message.hpp"

namespace wscam {

/**
 * The controls a publisher (a pushing camera) announced, as the stream's controllable. A
 * viewer's change becomes a `control` message to the publisher; its `control_changed` (or
 * `error`) answers the viewers who asked; no answer within `answer_timeout` is an error.
 * Everything but controls() and set_control() runs on the publisher session's thread.
 */
class publisher_controls : public controllable, public std::enable_shared_from_this<publisher_controls> {
public:
    static constexpr std::chrono::seconds answer_timeout{3};
    /** A relay waits longer than the owner waits for its camera, so the owner's own timeout error arrives first. */
    static constexpr std::chrono::seconds relayed_answer_timeout{5};
    /** Runs a job on the session's thread; false when the session is gone. */
    using post_fn = std::function<bool(std::function<void()>)>;
    /** Sends a text to the publisher (on the session's thread). */
    using send_fn = std::function<void(std::string)>;

    /**
     * `relayed`: the answers come from another wscam node that owns the stream (a relay in a
     * cluster): its refusals already say who refused, and nobody here is "the camera".
     */
    publisher_controls(post_fn post, send_fn send, bool relayed = false)
        : post_(std::move(post)), send_(std::move(send)), relayed_(relayed) {}

    std::vector<control_info> controls() const override;
    void set_control(const std::string& id, double value, control_callback done) override;

    /** On the session's thread: the publisher's announced list (hello). */
    void set_list(std::vector<control_info> list);
    /** On the session's thread: the publisher reports a value; true when it differs from the last known. */
    bool on_changed(const std::string& id, double value, std::vector<control_callback>& answered);
    /** On the session's thread: the publisher refused a change. */
    void on_error(const std::string& id, const std::string& reason);
    /** On the session's thread: fails requests older than answer_timeout. */
    void expire(std::chrono::steady_clock::time_point now);
    /** On the session's thread: the publisher left; every waiting viewer is told. */
    void close(const std::string& why);
    /** Who answers, for messages: "the camera", or the node that owns a relayed stream. */
    const char* answerer() const { return relayed_ ? "the stream's node" : "the camera"; }
    std::chrono::seconds timeout() const { return relayed_ ? relayed_answer_timeout : answer_timeout; }

private:
    struct waiting {
        control_callback done;
        std::chrono::steady_clock::time_point deadline;
    };
    post_fn post_;
    send_fn send_;
    bool relayed_;
    mutable std::mutex mutex_;
    std::vector<control_info> list_;
    std::map<std::string, std::vector<waiting>> waiting_;  // session thread only
    bool closed_ = false;                                  // session thread only
};

/**
 * What a publisher's text messages do (also what a cluster relay does with the messages of the
 * node that owns a stream: that node speaks to relays as a camera speaks to wscam), without any socket (docs/PROTOCOL.md, "Publishing"):
 * `hello` offers its controls on the stream, `control_changed`/`error` answer viewers' changes,
 * any other text becomes the stream's status message. Pure apart from the two functions it is
 * given, so that it is unit-tested and fuzzed end to end.
 */
class publisher_protocol {
public:
    publisher_protocol(std::shared_ptr<stream> hub, publisher_controls::post_fn post, publisher_controls::send_fn send,
                       bool relayed = false);

    /** Handles one text; returns why it was refused (for a log line), or an empty string. */
    std::string on_text(std::string_view text) { return on_message(parse_publisher_text(text)); }
    /** The same for a message already parsed. */
    std::string on_message(publisher_message message);
    void expire(std::chrono::steady_clock::time_point now) { controls_->expire(now); }
    /** The publisher left: its controls leave the stream. */
    void close();

private:
    std::shared_ptr<stream> hub_;
    std::shared_ptr<publisher_controls> controls_;
    bool offered_ = false;  // controls_ is the stream's controllable
};

}  // namespace wscam
