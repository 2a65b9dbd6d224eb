#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/stream.hpp"
#include "events/event_store.hpp"
#include "record/recordings.hpp"
#include "server/rtsp_facts.hpp"
#include "server/server_config.hpp"
#include "sources/io_contexts.hpp"

namespace wscam {

class h264_stream;
class shared_state;

/**
 * The HTTP + WebSocket server. Its header stays free of Beast/Asio so that the app and
 * tests which only start and stop it compile quickly.
 */
class server {
public:
    server(server_config config, std::shared_ptr<stream_registry> streams);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /** Binds the listeners; throws std::runtime_error with the address when it cannot. */
    void start();

    std::uint16_t http_port() const;
    std::optional<std::uint16_t> ws_port() const;

    /** Runs the I/O threads until the server has stopped. */
    void run();

    /**
     * The server's I/O contexts, round robin, for sources that wait on sockets and timers
     * (network cameras): they share the I/O threads instead of having one each. Sources using
     * them must be stopped (or destroyed) before the server is destroyed.
     */
    io_context_picker source_contexts();

    /**
     * Stops on SIGINT/SIGTERM; on SIGHUP reloads the TLS certificate and then calls `on_hangup`
     * (on an I/O thread: it should only hand the work over). Call before run().
     */
    void stop_on_signals(std::function<void()> on_hangup = {});

    /** Replaces who may watch and control which stream, and the default stream (a reload; the relayed part is kept). */
    void set_stream_access(stream_access_table table);
    /** Who may watch and control which stream now. */
    std::shared_ptr<const stream_access_table> stream_access() const;
    /** What a stream another node owns requires (its announce); nullopt: the stream is no longer relayed. */
    void set_relayed_access(const std::string& stream, std::optional<relayed_access> access);

    /**
     * Takes a stream out of service (a reload removed it): new requests for it get 404, its
     * WebSocket viewers are closed with 4404 and `reason`, its MJPEG readers' responses end,
     * its publisher is told to leave. The caller stops its source.
     */
    void remove_stream(const std::string& name, const std::string& reason);

    /** The stream's full H.264 rendition, shared with live H.264 viewers; null when H.264 is off (--h264-max-streams 0). */
    std::shared_ptr<h264_stream> h264_rendition(const std::shared_ptr<stream>& s);
    /** The recorders and their index: /api/streams, /metrics and the recordings API read them; before start(). */
    void set_recordings(std::shared_ptr<record::recordings> recordings);
    /** Each stream's motion detection, for /api/streams and /metrics; before start(). */
    void set_motion_of(events::detection_lookup f);
    /** What the RTSP server (src/rtsp) tells /api/streams and /metrics; any time. */
    void set_rtsp(rtsp_facts facts);
    /** What every connection shares: the RTSP server serves the same streams, tokens, limits and encoders. */
    std::shared_ptr<shared_state> state();
    /** The motion events kept, for /api/events (any time; null: none). */
    void set_event_store(std::shared_ptr<events::event_store> store);
    /** Where another node's streams' recordings are (the cluster): the recordings API answers 307 there. Any time. */
    void set_recordings_home(std::function<std::optional<std::pair<std::string, std::string>>(const std::string&)> home);

    /**
     * Reads the TLS certificate and key again (what SIGHUP does). New connections get the new
     * one, open ones keep theirs; an unusable new pair is refused and the old one kept.
     * Returns why it was refused, or nothing.
     */
    std::optional<std::string> reload_tls();

    /**
     * Graceful stop, callable from any thread: stops accepting, closes every WebSocket
     * with 1001 (going away), and makes run() return within shutdown_grace.
     */
    void stop();
    /**
     * A start that failed after start() and before run(): stops the I/O contexts at once, so
     * whatever waits on them (a source stopping) gives up instead of waiting for a run() that
     * never comes.
     */
    void abandon();

    server_stats stats() const;

private:
    void wait_for_hangup();
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace wscam
