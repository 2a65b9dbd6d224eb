#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <unordered_map>

#include "core/stream.hpp"
#include "server/client_limits.hpp"
#include "server/host_policy.hpp"
#include "core/blocking_work.hpp"
#include "events/event_store.hpp"
#include "record/recordings.hpp"
#include "server/rtsp_facts.hpp"
#include "server/server_config.hpp"

namespace wscam {

class viewer_group_registry;
class h264_streams;
namespace mse {
class fmp4_renditions;
}
namespace tls {
class certificate_store;
}

/** A connection the server can ask to close (on shutdown). */
class closable {
public:
    virtual ~closable() = default;
    /** Called from any thread; the connection posts the close to its own strand. */
    virtual void shutdown() = 0;
};

/**
 * What every connection shares: the configuration, the streams, the set of open
 * connections (for shutdown and caps) and server-wide counters.
 */
class shared_state {
public:
    shared_state(server_config config, std::shared_ptr<stream_registry> streams);
    ~shared_state();

    const server_config& config() const { return config_; }
    /** Default stream and per-stream tokens as they are now (a reload may replace them). */
    std::shared_ptr<const stream_access_table> access() const;
    void set_access(stream_access_table table);
    void set_relayed_access(const std::string& stream, std::optional<relayed_access> access);
    stream_registry& streams() { return *streams_; }
    viewer_group_registry& groups() { return *groups_; }
    /** Each stream's H.264 rendition, for viewers who ask with ?codec=h264. */
    h264_streams& h264() { return *h264_; }
    /** The same renditions packaged as fMP4, for viewers who ask with ?codec=fmp4 (MSE). */
    mse::fmp4_renditions& fmp4() { return *fmp4_; }
    /** The recorders and the recordings' index (set once, before the server starts; null: none). */
    void set_recordings(std::shared_ptr<record::recordings> r);
    const std::shared_ptr<record::recordings>& recordings() const { return recordings_; }
    /** Each stream's motion detection, for /api/streams and /metrics (set once, before the server starts). */
    void set_motion_of(events::detection_lookup f) { motion_of_ = std::move(f); }
    const events::detection_lookup& motion_of() const { return motion_of_; }
    /** The motion events kept (set when a stream first detects, at start or by a reload; null: none). Any thread. */
    void set_event_store(std::shared_ptr<events::event_store> store) {
        std::lock_guard lock(home_mutex_);
        event_store_ = std::move(store);
    }
    std::shared_ptr<events::event_store> event_store() const {
        std::lock_guard lock(home_mutex_);
        return event_store_;
    }
    /** What the RTSP server tells /api/streams and /metrics (set once it serves, any thread; null: no RTSP). */
    void set_rtsp(rtsp_facts facts) {
        std::lock_guard lock(home_mutex_);
        rtsp_ = std::make_shared<const rtsp_facts>(std::move(facts));
    }
    std::shared_ptr<const rtsp_facts> rtsp() const {
        std::lock_guard lock(home_mutex_);
        return rtsp_;
    }
    /** Where a remote stream's recordings are: its owner node and the address it announced (cluster). */
    using recordings_home_fn = std::function<std::optional<std::pair<std::string, std::string>>(const std::string& stream)>;
    /** Set when the node joins a cluster (after the server started: any thread may ask meanwhile). */
    void set_recordings_home(recordings_home_fn f);
    /** nullopt: the stream is not another node's (or there is no cluster). */
    std::optional<std::pair<std::string, std::string>> recordings_home(const std::string& stream) const;
    /** What each recorded stream's recorder is doing, for /api/streams and /metrics. */
    const record::recording_lookup& recording_of() const { return recording_of_; }
    /** Threads for answers that block (exports, pictures decoded from recordings), off the I/O threads. */
    blocking_work& blocking() { return *blocking_; }
    /**
     * A slow answer's place, from its queueing until it is written: at most slow_per_address of
     * one address's (a client hanging up and asking again could otherwise keep every thread
     * busy) and slow_in_flight in all (each may hold up to 8 MiB of pictures, or an export's
     * file, while its client reads). False: no place; the route answers 503.
     */
    bool take_slow_slot(const std::string& client_key);
    void give_slow_slot(const std::string& client_key);
    /** Connection caps (server and per address) and the wrong-token brake. */
    client_limits& limits() { return limits_; }
    /** The certificate in use; null when the server speaks no TLS. */
    tls::certificate_store* tls() { return tls_.get(); }
    /** Takes the certificate, and its names as names of this server. */
    void set_tls(std::unique_ptr<tls::certificate_store> store);
    /** The names requests may address (DNS rebinding): --allowed-host, the machine's, the certificate's. */
    std::shared_ptr<const host_allow_list> hosts() const;
    /** The certificate's names changed (a reload): the allowed names follow. */
    void certificate_names_changed();

    /** Registers a connection for shutdown; false when the server is stopping. */
    bool join(const std::shared_ptr<closable>& c);
    void leave(const closable* c);

    /** Asks every open connection to close; new ones are refused from now on. */
    void shutdown_all();
    bool stopping() const { return stopping_; }
    std::size_t connection_count() const;

    void viewer_opened() { ++viewers_; }
    void viewer_closed() { --viewers_; }
    void mjpeg_opened() { ++mjpeg_readers_; }
    void mjpeg_closed() { --mjpeg_readers_; }
    void h264_opened() { ++h264_viewers_; }
    void h264_closed() { --h264_viewers_; }
    void count_frame_sent() { frames_sent_.fetch_add(1, std::memory_order_relaxed); }
    void count_frame_dropped() { frames_dropped_.fetch_add(1, std::memory_order_relaxed); }
    server_stats stats() const;
    /** Connections closed since the last call (the memory trimmer's cue). */
    std::uint64_t take_closed() { return closed_.exchange(0, std::memory_order_relaxed); }

private:
    server_config config_;
    mutable std::mutex access_mutex_;
    std::shared_ptr<const stream_access_table> access_;
    std::shared_ptr<const host_allow_list> hosts_;  // under access_mutex_
    std::shared_ptr<stream_registry> streams_;
    std::unique_ptr<viewer_group_registry> groups_;
    std::unique_ptr<h264_streams> h264_;
    std::unique_ptr<mse::fmp4_renditions> fmp4_;  // over h264_
    std::shared_ptr<record::recordings> recordings_;
    mutable std::mutex home_mutex_;
    recordings_home_fn recordings_home_;  // under home_mutex_
    std::shared_ptr<events::event_store> event_store_;  // under home_mutex_
    std::shared_ptr<const rtsp_facts> rtsp_;            // under home_mutex_
    std::unique_ptr<blocking_work> blocking_;
    std::mutex slow_mutex_;
    std::map<std::string, int> slow_slots_;  // under slow_mutex_: slow answers per address
    int slow_total_ = 0;                     // under slow_mutex_
    static constexpr int slow_per_address = 2;
    static constexpr int slow_in_flight = 16;
    record::recording_lookup recording_of_;
    events::detection_lookup motion_of_;
    client_limits limits_;
    std::unique_ptr<tls::certificate_store> tls_;
    mutable std::mutex mutex_;
    std::unordered_map<const closable*, std::weak_ptr<closable>> connections_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> viewers_{0};
    std::atomic<std::size_t> mjpeg_readers_{0};
    std::atomic<std::size_t> h264_viewers_{0};
    std::atomic<std::uint64_t> frames_sent_{0};
    std::atomic<std::uint64_t> frames_dropped_{0};
    std::atomic<std::uint64_t> closed_{0};
};

}  // namespace wscam
