#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/frame.hpp"
#include "core/stream.hpp"
#include "core/latest_frame_slot.hpp"
#include "transcode/rendition_choice.hpp"

namespace wscam {

/**
 * How one viewer's pictures reach its socket: what it takes from the stream, what it holds, and
 * which picture to write next. A session owns one and knows no codec: it offers what its viewer
 * groups deliver, asks for the next picture when its socket is free (start_write), and says
 * when the kernel has it (write_done).
 *
 * Invariant of every kind: it holds at most what one write and one wait need (a slow viewer
 * skips pictures, never queues them), and start_write returns pictures in the order the viewer
 * may show them. JPEG (`jpeg_delivery`: the latest-frame slot) and H.264 (`h264_delivery`: its
 * renditions and access-unit queue) are the kinds so far; a fragmented-MP4 or RTSP viewer would
 * be another.
 *
 * On the session's thread.
 */
class frame_delivery {
public:
    using time_point = std::chrono::steady_clock::time_point;
    virtual ~frame_delivery() = default;

    /** What the viewer's binary messages hold ("jpeg", "h264"): the hello's `codec`. */
    virtual std::string_view codec() const = 0;
    /** The hello's `codec_string` for a stream of `info` (a WebCodecs codec), or empty. */
    virtual std::string codec_string(const stream_info& /*info*/) const { return {}; }

    /** The stream's own frame (a JPEG) from its viewer group; true when taking it dropped one. */
    virtual bool offer(const frame_ptr& f) = 0;
    /** An access unit of one of the stream's H.264 renditions; true when taking it dropped one. */
    virtual bool offer_unit(rendition /*from*/, const frame_ptr& /*unit*/, time_point /*now*/) { return false; }

    /** When nothing is being written: the next picture to write (now in flight), else null. */
    virtual frame_ptr start_write() = 0;
    /** The picture in flight was written: its buffer is let go. */
    virtual void write_done() = 0;

    /** Paused (a hidden tab) or resumed (`latest`: the stream's newest frame); empty, or why it cannot go on. */
    virtual std::string set_paused(bool paused, const frame_ptr& latest) = 0;
    /** The viewer's decoder starts over (it asked for a keyframe); empty, or why that means nothing here. */
    virtual std::string restart() = 0;
    /** The connection ends (`paused`: as it was then); once. */
    virtual void close(bool paused) = 0;

    /** What the "viewer closed" log line says of it: "frames=… drops=…", and what else this kind counts. */
    virtual std::string summary() const = 0;
};

/** A JPEG viewer: the newest frame waits in a latest_frame_slot (WebSocket viewers, MJPEG readers). */
class jpeg_delivery final : public frame_delivery {
public:
    std::string_view codec() const override { return "jpeg"; }
    bool offer(const frame_ptr& f) override;
    frame_ptr start_write() override { return slot_.start_write(); }
    void write_done() override { slot_.write_done(); }
    std::string set_paused(bool paused, const frame_ptr& latest) override;
    std::string restart() override { return "keyframe: this connection gets JPEG, where every frame is one"; }
    void close(bool) override {}
    std::string summary() const override;

    const latest_frame_slot& slot() const { return slot_; }

private:
    latest_frame_slot slot_;
};

}  // namespace wscam
