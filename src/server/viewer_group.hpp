#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/frame_hub.hpp"
#include "server/beast.hpp"

namespace wscam {

/**
 * What a viewer_group hands frames and news to, on the group's thread: a WebSocket viewer, an
 * MJPEG-over-HTTP reader. Only frames are required.
 */
class stream_viewer {
public:
    virtual ~stream_viewer() = default;
    virtual void deliver(const frame_ptr& f) = 0;
    virtual void deliver_status(const stream_status&) {}
    virtual void deliver_control(const std::string&, double) {}
    /** A new list of controls: the `controls` message, written once for every viewer. */
    virtual void deliver_controls(const std::shared_ptr<const std::string>& /*message*/) {}
    /** A text for every viewer of the stream (stream::tell_viewers), shared. */
    virtual void deliver_notice(const std::shared_ptr<const std::string>& /*message*/) {}
    /** The stream was removed (config reload): say why and close. */
    virtual void end_stream(const std::string& reason) = 0;
};

/** The single-threaded io_context a connection's socket lives on (its viewer_group's thread). */
net::io_context& io_context_of(tcp::socket& socket);

/**
 * The viewers of one stream that live on one I/O thread. The hub hands each frame to the
 * group once; the group posts once to its thread, which offers the frame to each viewer
 * there. So a frame costs one post per thread, not one per viewer. Subscribed to the hub
 * only while it has viewers, so capture-on-demand still sees "nobody watches".
 */
class viewer_group : public frame_sink, public std::enable_shared_from_this<viewer_group> {
public:
    viewer_group(net::io_context& ioc, std::shared_ptr<frame_hub> hub) : ioc_(ioc), hub_(std::move(hub)) {}

    /** On the group's thread: adds a viewer (not paused); returns the stream's newest frame. */
    frame_ptr join(const std::shared_ptr<stream_viewer>& viewer);
    /** On the group's thread: removes a viewer, saying whether it was paused. */
    void leave(const stream_viewer* viewer, bool paused);
    /** On the group's thread: one of its viewers paused or resumed (paused ones are not demand). */
    void set_paused(bool paused);

    void on_frame(frame_ptr f) override;
    void on_status(const stream_status& s) override;
    void on_control_changed(const std::string& id, double value) override;
    void on_controls_update(const std::shared_ptr<const controls_update>& update) override;
    void on_notice(const std::shared_ptr<const std::string>& message) override;
    void on_removed(const std::string& reason) override;
    /** Viewers that want frames (members not paused). */
    std::size_t viewers() const override { return active_.load(std::memory_order_relaxed); }

private:
    template <class F>
    void each(F&& f);

    net::io_context& ioc_;
    std::shared_ptr<frame_hub> hub_;
    std::vector<std::weak_ptr<stream_viewer>> members_;  // touched only on ioc_'s thread
    std::vector<std::shared_ptr<stream_viewer>> scratch_;
    std::atomic<std::size_t> active_{0};  // written on ioc_'s thread, read by sources
};

}  // namespace wscam

namespace wscam {

/**
 * One viewer_group per (stream, I/O thread), made on first use. A removed stream gets no entry:
 * a viewer that found the stream just before a reload removed it is given a group of its own,
 * which tells it of the removal at once; an entry made then would outlive forget() and keep
 * the stream and its newest frame for good. (frame_hub::remove comes before forget, and the
 * check is made under this registry's lock: a group made before forget is forgotten by it.)
 */
class viewer_group_registry {
public:
    std::shared_ptr<viewer_group> group_for(const std::shared_ptr<frame_hub>& hub, net::io_context& ioc) {
        std::lock_guard lock(mutex_);
        if (!hub->removed().empty()) return std::make_shared<viewer_group>(ioc, hub);
        auto& g = groups_[{hub.get(), &ioc}];
        if (!g) g = std::make_shared<viewer_group>(ioc, hub);
        return g;
    }

    /** A removed stream's groups go (their viewers are closing; each holds its own group). */
    void forget(const frame_hub* hub) {
        std::lock_guard lock(mutex_);
        std::erase_if(groups_, [hub](const auto& entry) { return entry.first.first == hub; });
    }

    /** Groups kept: one per stream and thread with viewers so far. */
    std::size_t size() {
        std::lock_guard lock(mutex_);
        return groups_.size();
    }

private:
    std::mutex mutex_;
    std::map<std::pair<const frame_hub*, const net::io_context*>, std::shared_ptr<viewer_group>> groups_;
};

}  // namespace wscam
