#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/frame_hub.hpp"
#include "core/publisher_message.hpp"

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
    /** Runs a job on the session's thread; false when the session is gone. */
    using post_fn = std::function<bool(std::function<void()>)>;
    /** Sends a text to the publisher (on the session's thread). */
    using send_fn = std::function<void(std::string)>;

    publisher_controls(post_fn post, send_fn send) : post_(std::move(post)), send_(std::move(send)) {}

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

private:
    struct waiting {
        control_callback done;
        std::chrono::steady_clock::time_point deadline;
    };
    post_fn post_;
    send_fn send_;
    mutable std::mutex mutex_;
    std::vector<control_info> list_;
    std::map<std::string, std::vector<waiting>> waiting_;  // session thread only
    bool closed_ = false;                                  // session thread only
};

/**
 * What a publisher's text messages do, without any socket (docs/PROTOCOL.md, "Publishing"):
 * `hello` offers its controls on the stream, `control_changed`/`error` answer viewers' changes,
 * any other text becomes the stream's status message. Pure apart from the two functions it is
 * given, so that it is unit-tested and fuzzed end to end.
 */
class publisher_protocol {
public:
    publisher_protocol(std::shared_ptr<frame_hub> hub, publisher_controls::post_fn post, publisher_controls::send_fn send);

    /** Handles one text; returns why it was refused (for a log line), or an empty string. */
    std::string on_text(std::string_view text);
    void expire(std::chrono::steady_clock::time_point now) { controls_->expire(now); }
    /** The publisher left: its controls leave the stream. */
    void close();

private:
    std::shared_ptr<frame_hub> hub_;
    std::shared_ptr<publisher_controls> controls_;
    bool offered_ = false;  // controls_ is the stream's controllable
};

}  // namespace wscam
