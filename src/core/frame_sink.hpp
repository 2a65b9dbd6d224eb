#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/controls.hpp"
#include "core/frame.hpp"

namespace wscam {

/** Whether a stream's source is delivering, and if not, why. */
struct stream_status {
    bool online = false;
    std::string reason;   // why it is offline; empty when online
    std::string message;  // the latest text the camera itself sent, if any (ws pull)
    // Set by the stream: increases with every change, so a viewer that is told of two changes in
    // the wrong order (they are sent outside the stream's lock) keeps the newer one.
    std::uint64_t version = 0;

    static stream_status up() { return {true, {}, {}}; }
    static stream_status down(std::string why) { return {false, std::move(why), {}}; }
};

/**
 * A stream's controls after a change, and the `controls` message for viewers: written once per
 * change, by the first viewer group that asks, and the same bytes queued and sent to every
 * viewer (a list written once per viewer cost 11 s of CPU for 10 hellos and 60 viewers, and a
 * copy held by each). The stream knows no wire format: the asker brings the writer.
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

/**
 * Subscribes to a frame_hub. Frames, demand and the end come from the hub itself; status and
 * controls come from the stream that owns the hub, sent through the hub's one subscriber list
 * (so one subscription hears everything). Implementations must not block.
 */
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
    /**
     * A text for every viewer of the stream (a motion event), written once by whoever tells it
     * (the stream knows no wire format) and shared.
     */
    virtual void on_notice(const std::shared_ptr<const std::string>& /*message*/) {}
    /** The hub ended (its stream was removed by a config reload): its viewers are told why and closed. */
    virtual void on_removed(const std::string& /*reason*/) {}
};

}  // namespace wscam
