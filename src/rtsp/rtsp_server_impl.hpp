#pragma once

// What rtsp_server's parts share (GStreamer inside): one connection's state, the server's own
// state, and the GObject subclasses (gst_objects.cpp) that hand GStreamer's calls to it.
#include <gst/rtsp-server/rtsp-server.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "core/rate_limit.hpp"
#include "rtsp/rtsp_feed.hpp"
#include "rtsp/rtsp_server.hpp"
#include "server/client_limits.hpp"

namespace wscam {
class shared_state;
}

namespace wscam::rtsp {

/**
 * One RTSP connection's own state, kept in its client object (gst_objects.cpp). The client's
 * thread (one of GStreamer's pool) asks and plays; the server's thread (tick) watches and closes:
 * what both touch is atomic or under `mutex`.
 */
struct connection {
    client_limits::ticket ticket;
    std::string peer;  // address:port, for the log; set before the client is seen by anyone
    std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
    std::atomic<bool> played{false};   // it has sent PLAY (once is enough to be a reader)
    std::atomic<bool> closing{false};  // wscam closes it (once)
    std::chrono::steady_clock::time_point idle_since = since;  // tick's own: since when it plays nothing
    std::set<std::string> opened;    // the client's thread only: streams a token opened on this connection

    void set_stream(const std::string& s) {
        std::lock_guard lock(mutex);
        stream_ = s;
    }
    /** The stream it asked for last, for the log. */
    std::string stream() const {
        std::lock_guard lock(mutex);
        return stream_;
    }
    std::string nonce = new_nonce();  // Digest: the connection's own, so credentials from another are worth nothing

    static std::string new_nonce() {
        std::random_device random;  // getrandom(2)
        return fmt::format("{:08x}{:08x}{:08x}{:08x}", random(), random(), random(), random());
    }

private:
    mutable std::mutex mutex;
    std::string stream_;
};

struct rtsp_server::impl {
    rtsp_settings settings;
    std::shared_ptr<shared_state> state;
    GMainContext* context = nullptr;
    GMainLoop* loop = nullptr;
    GstRTSPServer* server = nullptr;
    GstRTSPMountPoints* mounts = nullptr;
    GstRTSPAuth* auth = nullptr;
    GSource* timer = nullptr;
    std::thread thread;
    std::uint16_t bound_port = 0;
    std::mutex log_mutex_;
    // Under log_mutex_: refusal lines, one per 10 s of each kind (a client may ask for refusals as fast as it likes).
    enum class refusal { connection, request };
    rate_limit refused_connections_{std::chrono::seconds(10)}, refused_requests_{std::chrono::seconds(10)};

    /** A refusal's log line, at most one per 10 s of its kind. */
    template <class... Args>
    void log_refusal(refusal kind, fmt::format_string<Args...> format, Args&&... args) {
        std::uint64_t held = 0;
        {
            std::lock_guard lock(log_mutex_);
            auto& limit = kind == refusal::connection ? refused_connections_ : refused_requests_;
            if (!limit.allow(std::chrono::steady_clock::now(), held)) return;
        }
        auto line = fmt::format(format, std::forward<Args>(args)...);
        if (held) line += fmt::format(" ({} more refusals since)", held);
        spdlog::warn("{}", line);
    }

    mutable std::mutex mutex_;
    std::set<std::string> mounted_;                               // under mutex_
    std::map<std::string, std::shared_ptr<rtsp_feed>> feeds_;     // under mutex_: kept (with their totals) until the stream goes
    std::size_t connections_ = 0;                                 // under mutex_

    std::shared_ptr<rtsp_feed> feed_for(const std::shared_ptr<stream>& source);
    void mount(const std::string& stream);
    void close_later(GstRTSPClient* client, std::string why);
    void tick();
    gboolean check_url(GstRTSPContext* ctx);
    static constexpr const char* realm = "wscam";  // Digest and Basic
    void refuse(GstRTSPContext* ctx, GstRTSPStatusCode code, const std::string& body, const connection* challenge);
};

/** GStreamer's RTSP server, whose clients are wscam's (admitted under the per-address cap; see gst_objects.cpp). */
GstRTSPServer* make_gst_server(rtsp_server::impl* owner);
/** GStreamer's auth, answering with rtsp_server::impl::check_url. */
GstRTSPAuth* make_gst_auth(rtsp_server::impl* owner);
/** The connection state of one of wscam's clients (null for any other object). */
connection* connection_of(GstRTSPClient* client);
/**
 * Ends a client's connection from any thread: its sockets are shut down, and the client's own
 * thread sees the end and closes itself (gst_rtsp_client_close from another thread raced with
 * that thread's read: a review had it spin at 100 % CPU with a GLib warning per turn).
 */
void shut_down(GstRTSPClient* client);

}  // namespace wscam::rtsp
