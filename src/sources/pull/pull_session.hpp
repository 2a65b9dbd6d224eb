#pragma once

// Internal to the pull sources: what a protocol session (HTTP or WebSocket) gets to work with.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>

#include "core/frame_hub.hpp"
#include "sources/frame_intake.hpp"
#include "sources/network_url.hpp"
#include "sources/source_options.hpp"

namespace wscam::pull {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

/** What one connection attempt shares with the reconnect loop. */
struct context {
    std::shared_ptr<frame_hub> hub;
    frame_intake& intake;
    const intake_options& options;
    const network_url& url;
    std::atomic<bool>& stopping;
    std::chrono::steady_clock::time_point last_frame{};
    std::chrono::steady_clock::time_point last_watched{};
    bool went_idle = false;   // the session ended because nobody watched
    bool reconnect_now = false;  // the peer closed a healthy connection (single JPEG without keep-alive)
    bool delivered = false;      // this connection has delivered a valid frame
    std::function<void()> on_first_frame{};  // e.g. re-read the camera's controls

    /** Checks and publishes a JPEG; true when it was accepted. */
    bool offer(std::span<const std::uint8_t> jpeg) {
        if (!intake.offer(jpeg)) return false;
        last_frame = std::chrono::steady_clock::now();
        report_status(*hub, true);
        if (!delivered) {
            delivered = true;
            if (on_first_frame) on_first_frame();
        }
        return true;
    }

    /** Throws when valid frames stopped coming for stall_timeout (the socket may still be busy with garbage). */
    void check_stall() const {
        if (std::chrono::steady_clock::now() - last_frame > options.stall_timeout)
            throw std::runtime_error("no valid frame for " + std::to_string(options.stall_timeout.count()) + " ms");
    }

    /** True when the session should let go: nobody has watched for idle_grace (5 s). */
    bool idle() {
        const auto now = std::chrono::steady_clock::now();
        if (options.always_on || hub->viewer_count() > 0) {
            last_watched = now;
            return false;
        }
        return now - last_watched > options.idle_grace;
    }
};

/** A connected byte stream: plain TCP or TLS over TCP. */
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/** Multipart MJPEG or single-JPEG HTTP session on a connected stream. */
awaitable<void> run_http(beast::tcp_stream& stream, context& ctx);
awaitable<void> run_http(tls_stream& stream, context& ctx);

/** WebSocket session on a connected stream (handshake included). */
awaitable<void> run_ws(beast::tcp_stream& stream, context& ctx);
awaitable<void> run_ws(tls_stream& stream, context& ctx);

/** `Authorization: Basic …` value for the URL's credentials. */
std::string basic_auth(const network_url& url);

}  // namespace wscam::pull
