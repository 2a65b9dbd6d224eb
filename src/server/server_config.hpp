#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "codec/h264_encoder.hpp"
#include "core/token_check.hpp"

// The server's settings and the facts its parts share (who may watch what, its counters), apart
// from the server itself (server.hpp), so that its parts and the app include them alone.
namespace wscam {

/** Everything the network side needs to know; filled from the command line by src/app. */
struct server_config {
    std::string listen_address = "0.0.0.0";
    std::uint16_t port = 8080;                // 0 picks a free port (tests)
    std::optional<std::uint16_t> ws_port;     // second, WebSocket-only listener (the tutorial's :81)
    unsigned threads = 0;                     // I/O threads; 0 = one per core
    std::string web_root;                     // serve the viewer from this folder instead of the embedded copy
    std::string default_stream = "default";
    std::size_t max_connections = 10000;
    std::size_t max_connections_per_ip = 64;  // per IPv4 address or IPv6 /64; 0 = no limit
    std::chrono::seconds header_timeout{10};  // TLS handshake and a request's headers must arrive within this
    std::chrono::seconds handshake_timeout{10};
    std::chrono::seconds idle_timeout{30};    // WebSocket: no traffic from the peer (pings are sent at half)
    std::chrono::seconds write_timeout{30};   // a viewer whose write makes no progress this long is cut off (0 = never)
    std::chrono::milliseconds shutdown_grace{900};
    std::size_t max_frame_bytes = 4 * 1024 * 1024;  // largest frame a publisher may send
    std::uint64_t max_frame_pixels = 40'000'000;     // largest picture (width x height) a publisher may send
    // Unsent bytes the kernel may hold per viewer before the next frame is chosen (TCP_NOTSENT_LOWAT):
    // keeps slow viewers' backlog in wscam's single pending slot, where newer frames replace it.
    std::size_t send_lowat = 16 * 1024;
    std::string view_token;     // when set, watching (WebSocket, snapshot, API) needs it (or the control token)
    std::string control_token;  // when set, changing controls needs it; otherwise every viewer may
    /** A stream's own tokens (config file), in place of the two above for that stream. */
    struct stream_tokens {
        std::optional<std::string> view, control;
    };
    std::map<std::string, stream_tokens> stream_access;
    std::vector<std::string> allowed_origins;  // pages from these origins may open WebSockets too ("*": any)
    // Host names (or *.suffix, or *) that requests for camera data may address, besides IP
    // addresses, localhost, this machine's names and the certificate's (DNS rebinding)
    std::vector<std::string> allowed_hosts;
    std::string tls_cert;   // PEM certificate (chain); with tls_key the port speaks TLS and plain both
    std::string tls_key;    // PEM private key
    bool require_tls = false;  // plain pages are redirected to https://, plain upgrades refused
    h264_settings h264;                // how a stream is encoded for viewers who ask for H.264
    std::size_t h264_max_streams = 4;  // streams encoded at once (each a worker thread); 0 turns H.264 off
    bool tls() const { return !tls_cert.empty(); }
};

/**
 * What a stream another node owns requires, as its owner announced it: verifiers of the owner's
 * tokens (the stream's own, or the owner's server-wide ones), never the tokens themselves.
 * A check that requires nothing leaves that part to this node's server-wide token.
 */
struct relayed_access {
    token_check view, control;
};

/**
 * Who may watch and control each stream, and which stream `/` shows: the part of the
 * configuration a reload (SIGHUP) may change while connections are open, and what the owners
 * of relayed streams require (the cluster keeps that part up to date; a reload keeps it).
 */
struct stream_access_table {
    std::string default_stream;
    std::string view_token, control_token;  // server-wide
    std::map<std::string, server_config::stream_tokens> streams;  // a stream's own, in place of those
    std::map<std::string, relayed_access> relayed;                // streams of other nodes

    static stream_access_table from(const server_config& c) {
        return {c.default_stream, c.view_token, c.control_token, c.stream_access, {}};
    }
    /** This node's own tokens for a stream it serves (what its announce proves to the others). */
    const std::string& view_token_for(const std::string& stream) const {
        const auto it = streams.find(stream);
        return it != streams.end() && it->second.view ? *it->second.view : view_token;
    }
    const std::string& control_token_for(const std::string& stream) const {
        const auto it = streams.find(stream);
        return it != streams.end() && it->second.control ? *it->second.control : control_token;
    }
    /** What a request for `stream` must bring to watch it, to control it: the owner's word for a relayed stream. */
    token_check view_check_for(const std::string& stream) const {
        if (const auto it = relayed.find(stream); it != relayed.end() && it->second.view.required()) return it->second.view;
        return token_check::token(view_token_for(stream));
    }
    token_check control_check_for(const std::string& stream) const {
        if (const auto it = relayed.find(stream); it != relayed.end() && it->second.control.required())
            return it->second.control;
        return token_check::token(control_token_for(stream));
    }
};

/** A setting the server cannot start with (e.g. an unusable certificate): exit code 2, like a usage error. */
class config_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/** Counters across all connections, for logs and tests. */
struct server_stats {
    std::size_t open_connections = 0;
    std::size_t open_viewers = 0;     // WebSocket and MJPEG
    std::uint64_t frames_sent = 0;
    std::uint64_t frames_dropped = 0;
    std::size_t open_mjpeg = 0;       // of which MJPEG-over-HTTP readers
    std::size_t open_h264 = 0;        // of which WebSocket viewers getting H.264
    std::size_t h264_encoders = 0;    // streams being encoded to H.264 now
};

}  // namespace wscam
