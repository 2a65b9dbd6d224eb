#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "codec/h264_encoder.hpp"
#include "core/stream.hpp"
#include "transcode/keyframe_requests.hpp"
#include "transcode/rendition_choice.hpp"

namespace wscam {

/** How many streams may be encoded at once, shared by every h264_stream of a server. */
class h264_slots {
public:
    explicit h264_slots(std::size_t max) : max_(max) {}
    bool acquire();
    void release() { used_.fetch_sub(1, std::memory_order_acq_rel); }
    std::size_t used() const { return used_.load(std::memory_order_acquire); }
    std::size_t max() const { return max_; }

private:
    std::size_t max_;
    std::atomic<std::size_t> used_{0};
};

/**
 * One H.264 rendition of a stream (the full one, or the one capped for slow links), for the
 * viewers that ask for H.264: its JPEGs decoded to YUV and
 * encoded with libx264 on a worker thread of its own, never on an I/O thread. The access units
 * are published on output(), a hub of their own, with the JPEG's sequence number and capture
 * time; viewers join it through viewer groups like any hub.
 *
 * On demand: the worker starts when a viewer calls start() and ends once output() has had no
 * viewer for a second; while it runs it holds one of the server's h264_slots. It encodes the
 * newest JPEG only: one that arrives while it encodes replaces the one waiting (skipped, never
 * queued). Its subscription to the source does not count as a viewer (H.264 viewers are
 * counted by the source's own viewer groups, which they also join for status and controls).
 */
class h264_stream : public std::enable_shared_from_this<h264_stream> {
public:
    h264_stream(std::shared_ptr<stream> source, wscam::rendition which, h264_settings settings,
                std::shared_ptr<h264_slots> slots);
    ~h264_stream();
    h264_stream(const h264_stream&) = delete;
    h264_stream& operator=(const h264_stream&) = delete;

    /** The stream it encodes. */
    const std::shared_ptr<stream>& source() const { return source_; }

    /** Where the access units are published. */
    const std::shared_ptr<frame_hub>& output() const { return output_; }

    /**
     * A viewer has joined output() and wants pictures: starts the worker unless it runs.
     * False (and why) when the server already encodes as many streams as it may.
     */
    bool start(std::string* why = nullptr);

    /** A viewer needs a keyframe: a join within 0.5 s, a resync (it fell behind) within 2 s; see keyframe_requests. */
    void request_keyframe(keyframe_requests::kind k = keyframe_requests::kind::join) { requests_.request(k); }

    /** Stops the worker and waits for it (stream removed, server stopping). */
    void stop();

    bool running() const;
    /** Totals since the stream was made: pictures encoded, keyframes, JPEGs skipped while busy. */
    std::uint64_t encoded() const { return encoded_.load(std::memory_order_relaxed); }
    std::uint64_t keyframes() const { return keyframes_.load(std::memory_order_relaxed); }
    std::uint64_t skipped() const { return skipped_.load(std::memory_order_relaxed); }

private:
    /** The newest JPEG older than this when the worker starts is not encoded: it waits for the next. */
    static constexpr std::int64_t max_start_age_us = 1'000'000;
    class input;
    struct work;
    void run(std::stop_token stop);
    void offer(frame_ptr jpeg);
    /** The newest JPEG not yet taken, waiting up to `timeout`; null if none came. */
    frame_ptr take_newest(std::stop_token& stop, std::chrono::milliseconds timeout);
    /** The worker is about to end (idle, or stopped): false unless a viewer came meanwhile. */
    bool keep_running(bool stopping);
    /** Decodes, reopens the encoder at a new size when size_change_gate says so, encodes and publishes. */
    void encode_one(const frame_ptr& jpeg, work& w);
    void open_encoder(work& w, std::chrono::steady_clock::time_point now);
    /** A picture skipped or an encoder failure: logged at most every 10 s, with how many more. */
    void warn(work& w, const std::string& what, std::chrono::steady_clock::time_point now);

    std::shared_ptr<stream> source_;
    std::shared_ptr<frame_hub> output_;
    wscam::rendition rendition_;
    h264_settings settings_;
    std::shared_ptr<h264_slots> slots_;
    std::shared_ptr<input> input_;
    keyframe_requests requests_;

    mutable std::mutex mutex_;          // running_, thread_, newest_
    std::condition_variable_any wake_;
    bool running_ = false;
    bool stopped_ = false;
    std::jthread thread_;
    frame_ptr newest_;
    std::atomic<std::uint64_t> encoded_{0}, keyframes_{0}, skipped_{0};
};

}  // namespace wscam
