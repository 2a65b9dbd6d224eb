#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "core/controls.hpp"
#include "core/frame_hub.hpp"
#include "core/publish_gate.hpp"

namespace wscam {

/** What viewers are told about a stream before its first frame. */
struct stream_info {
    std::uint16_t width = 0;
    std::uint16_t height = 0;
    double fps = 0;
    std::string source;  // a description of the source, never a secret
};

/** Counters a stream keeps; read for /api and /metrics. */
struct hub_counters {
    std::uint64_t frames_published = 0;
    std::uint64_t bytes_published = 0;
    std::size_t viewers = 0;
};

/**
 * One named stream: what sources, sessions, /api and the cluster hold. The record (name, what
 * viewers are told, status, controls, who may publish, why it was removed) around its
 * frame_hub, the fan-out that carries its frames.
 *
 * The stream's lock and its hub's are never held together and never held while calling out:
 * a change is made under the stream's lock, then the hub tells its subscribers
 * (frame_hub::notify), so a viewer that joins in between reads the change itself.
 */
class stream : public std::enable_shared_from_this<stream> {
public:
    explicit stream(std::string name);

    const std::string& name() const { return name_; }
    /** The stream's fan-out: never null, never replaced. Viewer groups subscribe here. */
    const std::shared_ptr<frame_hub>& hub() const { return hub_; }

    // What sources and viewers ask of the fan-out, so they need not know it is a separate object.
    frame_ptr publish(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info) {
        return hub_->publish(std::move(storage), jpeg_size, info);
    }
    frame_ptr latest() const { return hub_->latest(); }
    frame_ptr subscribe(const std::shared_ptr<frame_sink>& sink) { return hub_->subscribe(sink); }
    void unsubscribe(const frame_sink* sink) { hub_->unsubscribe(sink); }
    std::size_t viewer_count() const { return hub_->viewer_count(); }
    void demand_changed() { hub_->demand_changed(); }
    void watch_demand(std::shared_ptr<demand_watch> watch) { hub_->watch_demand(std::move(watch)); }
    bool wait_for_viewers(std::stop_token stop) { return hub_->wait_for_viewers(std::move(stop)); }

    /** Sets what viewers are told; `info.source` is outside text and is sanitised here. */
    void set_info(const stream_info& info);
    stream_info info() const;

    /**
     * Records a source state change and tells every subscriber; returns false if nothing
     * changed. The reason and message may come from a camera: they are sanitised here, the
     * one place status text enters (valid UTF-8, no control characters, bounded length).
     */
    bool set_status(const stream_status& s);
    stream_status status() const;
    /** status().online without copying the status: what a source asks for every frame. */
    bool online() const { return online_.load(std::memory_order_acquire); }

    hub_counters counters() const;

    /** For `push:` streams: who may publish; null when the stream takes no publishers. */
    void set_publish_gate(std::shared_ptr<publish_gate> gate);
    std::shared_ptr<publish_gate> gate() const;

    /**
     * The stream is gone (removed by a config reload): its publisher (if any) is told to leave,
     * then its hub ends (every subscriber hears on_removed(reason), a later one at once).
     */
    void remove(const std::string& reason);
    /** Why the stream was removed; empty while it is served. */
    std::string removed() const;

    /**
     * The stream's controls, if its source has any. May change while the stream runs (a
     * publisher announces its controls, a camera's control API is found): every subscriber
     * is told the new list. Null removes them.
     */
    void set_controllable(std::shared_ptr<controllable> c);
    /** Removes the stream's controls if they are still `c`'s (a publisher that left); tells subscribers. */
    void clear_controllable(const controllable* c);
    std::vector<control_info> controls() const;
    /** The source's list of controls changed (not just a value): tells every subscriber. */
    void controls_changed();
    /** The camera changed a value by itself (or reports a value after a change): tells every subscriber. */
    void control_changed(const std::string& id, double value);

    /**
     * Sets a control: checks it exists and the value fits, does nothing when the control
     * already has that value, else asks the source and, once it has applied the value, tells
     * every subscriber the value now in effect. `done` is called once, on any thread, with the
     * outcome for the viewer who asked. Never blocks.
     */
    void set_control(const std::string& id, double value, control_callback done);

    /**
     * Tells every subscriber `message` (on_notice). A `lasting` one (an event going on) is also
     * kept for viewers who join later (lasting_notice()) until the next notice replaces it.
     */
    void tell_viewers(std::shared_ptr<const std::string> message, bool lasting);
    std::shared_ptr<const std::string> lasting_notice() const;

    /** Counts a frame from outside that was refused (bad JPEG, too large). */
    void count_rejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

private:
    const std::string name_;
    const std::shared_ptr<frame_hub> hub_;
    mutable std::mutex mutex_;  // guards what follows; never held while calling hub_ or out
    stream_info info_;
    stream_status status_ = stream_status::down("starting");
    std::uint64_t status_version_ = 0;
    std::shared_ptr<publish_gate> gate_;
    std::shared_ptr<controllable> controllable_;
    std::string removed_;
    std::shared_ptr<const std::string> lasting_notice_;
    std::atomic<std::uint64_t> rejected_{0};
    std::atomic<bool> online_{false};  // status_.online, written under mutex_
};

/** The named streams a server offers. Added at start-up, and added or removed by a config reload. */
class stream_registry {
public:
    /** Adds a stream; throws std::invalid_argument on a duplicate or invalid name. */
    std::shared_ptr<stream> add(const std::string& name);
    /** Takes a stream out (new connections get 404); returns it, or null if there is none of that name. */
    std::shared_ptr<stream> take(const std::string& name);
    std::shared_ptr<stream> find(const std::string& name) const;
    /** Every stream, in the order they were added (the order the user configured). */
    std::vector<std::shared_ptr<stream>> all() const;

    /** Stream names: 1-64 characters of [A-Za-z0-9_-]. */
    static bool valid_name(const std::string& name);

private:
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<stream>> streams_;  // in the order added
    // By name: a cluster node may show a thousand remote streams, and every request looks one up.
    std::map<std::string, std::shared_ptr<stream>> by_name_;
};

}  // namespace wscam
