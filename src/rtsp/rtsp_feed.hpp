#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/frame_sink.hpp"
#include "rtsp/reader_gate.hpp"

namespace wscam {
class h264_stream;
class stream;
}  // namespace wscam

namespace wscam::rtsp {

/** One RTSP reader's end of a feed: its pipeline's appsrc (rtsp_server), or a test's stand-in. */
class unit_reader {
public:
    virtual ~unit_reader() = default;
    /** Access units handed over and not yet taken by the reader's pipeline. Any thread, must not block. */
    virtual std::size_t waiting() const = 0;
    /** Hands one access unit over, without copying it. Must not block. */
    virtual void push(const frame_ptr& unit) = 0;
    /** The reader is to go (it stalled past the write timeout, or the stream was removed). Must not block. */
    virtual void cut_off(const std::string& why) = 0;
};

/**
 * One stream's RTSP readers, fed from the stream's full H.264 rendition: the same encoder and
 * the same access units as its WebSocket H.264 viewers, handed to every reader without a copy.
 *
 * It is a sink on the rendition's output that stands for its readers (so the encoder runs while
 * any reads), and a tap on the stream itself that does the same (so the camera stays on: the
 * encoder's own subscription is not a viewer). Each reader has a reader_gate: it starts at a
 * keyframe, and one that falls behind is dropped to the next keyframe, then cut off after the
 * write timeout, while the others go on.
 *
 * on_frame runs on the encoder's thread; add/remove/tick on the RTSP server's thread. One mutex
 * guards the readers; nothing under it blocks (unit_reader's calls must not).
 */
class rtsp_feed final : public frame_sink, public std::enable_shared_from_this<rtsp_feed> {
public:
    struct settings {
        std::size_t max_waiting = 8;                                // units a reader may have waiting (reader_gate)
        reader_gate::clock::duration write_timeout = std::chrono::seconds(30);  // 0: never cut off
    };

    rtsp_feed(std::shared_ptr<stream> source, std::shared_ptr<h264_stream> encoder, settings s);
    ~rtsp_feed() override;
    rtsp_feed(const rtsp_feed&) = delete;
    rtsp_feed& operator=(const rtsp_feed&) = delete;

    /** Subscribes to the encoder's output and taps the stream (call once, after make_shared). */
    void attach();

    /** A reader joins: the encoder starts if it can (false and why if not) and is asked for a keyframe. */
    bool add(std::shared_ptr<unit_reader> reader, std::string* why = nullptr);
    void remove(const unit_reader* reader);
    /** Cuts off the readers stalled past the write timeout (the RTSP server's timer). */
    void tick();

    const std::shared_ptr<stream>& source() const { return source_; }
    const std::shared_ptr<h264_stream>& encoder() const { return encoder_; }

    // frame_sink (the encoder's output)
    void on_frame(frame_ptr unit) override;
    void on_status(const stream_status&) override {}
    std::size_t viewers() const override { return readers_now_.load(std::memory_order_relaxed); }
    void on_removed(const std::string& reason) override;

    struct totals {
        std::size_t readers = 0;
        std::uint64_t units = 0;     // access units handed to readers (summed over readers)
        std::uint64_t bytes = 0;     // their bytes
        std::uint64_t dropped = 0;   // units readers did not get because they were behind
        std::uint64_t cut_off = 0;   // readers cut off after the write timeout
    };
    totals counts() const;

private:
    class demand_tap;
    struct member {
        std::shared_ptr<unit_reader> reader;
        reader_gate gate;
        bool cut = false;  // told to go (once)
    };
    void changed_demand();

    std::shared_ptr<stream> source_;
    std::shared_ptr<h264_stream> encoder_;
    settings settings_;
    std::shared_ptr<demand_tap> tap_;
    mutable std::mutex mutex_;
    std::vector<member> readers_;  // under mutex_
    std::atomic<std::size_t> readers_now_{0};
    totals counts_;                // under mutex_
    bool removed_ = false;         // under mutex_
};

}  // namespace wscam::rtsp
