#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/controls.hpp"
#include "core/frame.hpp"
#include "core/publish_gate.hpp"

namespace wscam {

/** Whether a stream's source is delivering, and if not, why. */
struct stream_status {
    bool online = false;
    std::string reason;   // why it is offline; empty when online
    std::string message;  // the latest text the camera itself sent, if any (ws pull)
    // Set by the hub: increases with every change, so a viewer that is told of two changes in
    // the wrong order (they are sent outside the hub's lock) keeps the newer one.
    std::uint64_t version = 0;

    static stream_status up() { return {true, {}, {}}; }
    static stream_status down(std::string why) { return {false, std::move(why), {}}; }
};

/** What viewers are told about a stream before its first frame. */
struct stream_info {
    std::uint16_t width = 0;
    std::uint16_t height = 0;
    double fps = 0;
    std::string source;  // a description of the source, never a secret
};

/**
 * A stream's controls after a change, and the `controls` message for viewers: written once per
 * change, by the first viewer group that asks, and the same bytes queued and sent to every
 * viewer (a list written once per viewer cost 11 s of CPU for 10 hellos and 60 viewers, and a
 * copy held by each). The hub knows no wire format: the asker brings the writer.
 */
struct controls_update {
    std::string stream;
    std::vector<control_info> list;

    using writer = std::string (*)(const std::string& stream, const std::vector<control_info>& list);
    /** The message `write` makes of it, made once (any thread) and shared. */
    std::shared_ptr<const std::string> message(writer write) const {
        std::call_once(once_, [&] { message_ = std::make_shared<const std::string>(write(stream, list)); });
        return message_;
    }

private:
    mutable std::once_flag once_;
    mutable std::shared_ptr<const std::string> message_;
};

/** Receives a stream's frames and status changes. Implementations must not block. */
class frame_sink {
public:
    virtual ~frame_sink() = default;
    virtual void on_frame(frame_ptr f) = 0;
    virtual void on_status(const stream_status& s) = 0;
    /** A control of the stream was changed (by any viewer, or by the camera itself). */
    virtual void on_control_changed(const std::string& /*id*/, double /*value*/) {}
    /** The stream's set of controls changed (a publisher came or went, a board was found). */
    virtual void on_controls_changed(const std::vector<control_info>& /*controls*/) {}
    /** The same, with the viewers' message written once for every sink; a sink that only needs the list overrides the above. */
    virtual void on_controls_update(const std::shared_ptr<const controls_update>& update) {
        on_controls_changed(update->list);
    }
    /**
     * How many viewers this sink stands for (a group of viewers on one thread counts each),
     * counting only those who want frames now: a paused viewer (hidden tab) does not keep a
     * camera capturing. Must not block; call frame_hub::demand_changed() when it changes.
     */
    virtual std::size_t viewers() const { return 1; }
    /** The stream was removed from the server (a config reload): its viewers are told why and closed. */
    virtual void on_removed(const std::string& /*reason*/) {}
};

/**
 * How a source on an event loop learns that someone may want frames now, instead of asking
 * the hub every so often: the hub calls notify() when a viewer arrives or resumes. `wake`
 * must not block (it posts to the source's loop); disarm() before the loop goes away.
 */
class demand_watch {
public:
    explicit demand_watch(std::function<void()> wake) : wake_(std::move(wake)) {}
    void notify() {
        std::lock_guard lock(mutex_);
        if (wake_) wake_();
    }
    /** No wake after this returns. */
    void disarm() {
        std::lock_guard lock(mutex_);
        wake_ = nullptr;
    }

private:
    std::mutex mutex_;
    std::function<void()> wake_;
};

/** Counters a stream keeps; read for /api and /metrics. */
struct hub_counters {
    std::uint64_t frames_published = 0;
    std::uint64_t bytes_published = 0;
    std::size_t viewers = 0;
};

/**
 * One named stream: holds the newest frame and hands each new one to every subscriber.
 *
 * Sources call publish() from their own thread; it never waits for a viewer. Subscribers
 * are held weakly and notified outside the lock (copy-on-write list).
 */
class frame_hub : public std::enable_shared_from_this<frame_hub> {
public:
    explicit frame_hub(std::string name);

    const std::string& name() const { return name_; }

    /** Wraps a JPEG written into `storage` at frame::header_size, numbers it and sends it to every subscriber. */
    frame_ptr publish(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info);

    /**
     * For a stream relayed from another node: publishes with the owner's sequence number instead
     * of the hub's count (a later publish continues from it). publish_us is this hub's clock,
     * capture_us the owner's.
     */
    frame_ptr publish_numbered(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info,
                               std::uint64_t sequence);

    /** The newest frame, or null before the first one. */
    frame_ptr latest() const;

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

    /** Adds a subscriber; returns the newest frame so it can start at once. */
    frame_ptr subscribe(const std::shared_ptr<frame_sink>& sink);
    void unsubscribe(const frame_sink* sink);
    /** Viewers who want frames now (summed over the sinks; paused ones do not count). */
    std::size_t viewer_count() const;
    /** A sink's viewers() changed (a viewer paused or resumed): wakes wait_for_viewers. */
    void demand_changed();

    /** The source's demand_watch (one per stream; null removes it): notified as wait_for_viewers is woken. */
    void watch_demand(std::shared_ptr<demand_watch> watch);

    /**
     * Blocks until at least one viewer wants frames or `stop` is requested.
     * Sources call it to capture only on demand. Returns false when stopped.
     */
    bool wait_for_viewers(std::stop_token stop);

    hub_counters counters() const;

    /** For `push:` streams: who may publish; null when the stream takes no publishers. */
    void set_publish_gate(std::shared_ptr<publish_gate> gate);
    std::shared_ptr<publish_gate> gate() const;

    /**
     * The stream is gone (removed by a config reload): every subscriber hears on_removed(reason),
     * a subscriber that comes later hears it at once, and its publisher (if any) is told to leave.
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

    /** Counts a frame from outside that was refused (bad JPEG, too large). */
    void count_rejected() { rejected_.fetch_add(1, std::memory_order_relaxed); }
    std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

private:
    struct sink_entry {
        const frame_sink* id;
        std::weak_ptr<frame_sink> sink;
    };
    using sink_list = std::vector<sink_entry>;

    /** The subscribers now: the copy-on-write list, taken under the lock and read outside it. */
    std::shared_ptr<const sink_list> subscribers() const;
    /**
     * Calls `f` on each subscriber of `sinks` still alive, outside the lock (a sink only posts
     * to its own thread, or counts): the one way the hub tells its subscribers anything.
     */
    template <class F>
    static void notify(const sink_list& sinks, F&& f) {
        for (const auto& entry : sinks)
            if (auto sink = entry.sink.lock()) f(*sink);
    }

    /** publish() and publish_numbered(): `sequence`, or else the hub's next number. */
    frame_ptr publish_as(std::vector<std::uint8_t> storage, std::size_t jpeg_size, const frame_info& info,
                         std::optional<std::uint64_t> sequence);

    std::string name_;
    mutable std::mutex mutex_;
    std::condition_variable_any demand_;
    std::shared_ptr<const sink_list> sinks_ = std::make_shared<const sink_list>();
    frame_ptr latest_;
    stream_info info_;
    stream_status status_ = stream_status::down("starting");
    std::uint64_t status_version_ = 0;
    std::uint64_t next_sequence_ = 1;
    std::uint64_t frames_published_ = 0;  // not next_sequence_ - 1: a relayed stream's numbers are the owner's
    std::uint64_t bytes_published_ = 0;
    std::shared_ptr<publish_gate> gate_;
    std::shared_ptr<controllable> controllable_;
    std::string removed_;
    std::shared_ptr<demand_watch> demand_watch_;
    std::atomic<std::uint64_t> rejected_{0};
    std::atomic<bool> online_{false};  // status_.online, written under mutex_
};

/** The named streams a server offers. Added at start-up, and added or removed by a config reload. */
class stream_registry {
public:
    /** Adds a stream; throws std::invalid_argument on a duplicate or invalid name. */
    std::shared_ptr<frame_hub> add(const std::string& name);
    /** Takes a stream out (new connections get 404); returns it, or null if there is none of that name. */
    std::shared_ptr<frame_hub> take(const std::string& name);
    std::shared_ptr<frame_hub> find(const std::string& name) const;
    /** Every stream, in the order they were added (the order the user configured). */
    std::vector<std::shared_ptr<frame_hub>> all() const;

    /** Stream names: 1-64 characters of [A-Za-z0-9_-]. */
    static bool valid_name(const std::string& name);

private:
    mutable std::mutex mutex_;
    std::vector<std::shared_ptr<frame_hub>> hubs_;  // in the order added
    // By name: a cluster node may show a thousand remote streams, and every request looks one up.
    std::map<std::string, std::shared_ptr<frame_hub>> by_name_;
};

}  // namespace wscam
