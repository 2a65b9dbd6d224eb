#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "server/rtsp_facts.hpp"

namespace wscam {
class shared_state;
}

namespace wscam::rtsp {

struct rtsp_settings {
    std::string listen_address = "0.0.0.0";
    std::uint16_t port = 8554;                                 // 0: no RTSP server
    std::chrono::seconds write_timeout{30};                    // a reader that takes no video this long is cut off (0: never)
    std::chrono::seconds start_timeout{10};                    // a connection must PLAY within this (--header-timeout)
};


/**
 * rtsp://HOST:PORT/NAME for every stream: GStreamer's RTSP server (gst-rtsp-server), on a
 * thread of its own, serving each stream's full H.264 rendition, the encoder the WebSocket
 * H.264 viewers share (rtsp_feed), to every reader over RTP (UDP or TCP-interleaved) with RTCP.
 *
 * wscam adds what the library leaves to its user: which stream a URL names and whether the
 * token it brings opens it (rtsp_access, with the HTTP server's table, wrong-token brake and
 * per-address cap), a 503 with the reason when no encoder is free, a deadline for a connection
 * to start playing, and, per reader, a pipeline of its own so a reader that stops reading is
 * dropped to the next keyframe and cut off (rtsp_feed, reader_gate) without touching the others.
 *
 * Its header is free of GStreamer: only rtsp_server.cpp and gst_reader.cpp include it.
 */
class rtsp_server {
public:
    rtsp_server(rtsp_settings settings, std::shared_ptr<shared_state> state);
    ~rtsp_server();
    rtsp_server(const rtsp_server&) = delete;
    rtsp_server& operator=(const rtsp_server&) = delete;

    /** Binds the port and starts serving; throws std::runtime_error (with why) when it cannot. */
    void start();
    /** Closes every connection and stops the thread (idempotent; the destructor calls it). */
    void stop();
    /** The port bound (after start). */
    std::uint16_t port() const;

    /** The stream's readers now and its totals; nullopt when it never had one. Any thread. */
    std::optional<rtsp_reader_stats> stats(const std::string& stream) const;
    /** RTSP connections open now. */
    std::size_t connections() const;

    struct impl;

private:
    std::unique_ptr<impl> impl_;
};

}  // namespace wscam::rtsp
