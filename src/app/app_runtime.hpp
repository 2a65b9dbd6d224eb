#pragma once

#include <map>
#include <memory>
#include <optional>

#include "app/config_reload.hpp"
#include "app/options.hpp"
#include "app/stream_set.hpp"
#include "cluster/cluster_node.hpp"
#include "record/recordings.hpp"
#include "events/event_fanout.hpp"
#include "events/event_journal.hpp"
#include "events/mqtt/mqtt_output.hpp"
#include "events/webhook_output.hpp"
#include "motion/motion_watches.hpp"
#include "record/timelapses.hpp"
#include "rtsp/rtsp_server.hpp"
#include "server/server.hpp"

namespace wscam {

/** What `options` records: each recorded stream's settings, by name. */
std::map<std::string, record::recording_settings> recording_plan(const app_options& options);
/** What `options` keeps as timelapses: each such stream's settings, by name. */
std::map<std::string, record::timelapse_settings> timelapse_plan(const app_options& options);
/** What `options` looks for motion on: each such stream's settings, by name. */
std::map<std::string, motion::settings> motion_plan(const app_options& options);
/** Each recorded stream's folder can be made and written to; throws usage_error saying which and why. */
void check_recording_folders(const app_options& options);

/**
 * A serving wscam, built from its checked options: the stream registry, the server, the
 * streams, the cluster node (--nats) and the reloader (--config), each made after what it
 * uses. The members are declared in that order, so whatever the constructor or run() throws,
 * they are taken down in reverse: nothing outlives what it points into.
 */
class app_runtime {
public:
    /** Starts the server, then the streams and the cluster node; throws what they throw. */
    app_runtime(const app_options& options, int argc, char** argv);
    app_runtime(const app_runtime&) = delete;
    app_runtime& operator=(const app_runtime&) = delete;

    /** Says where to open the viewer, serves until SIGINT or SIGTERM, then stops in order. */
    void run();

private:
    /** --nats: every node serves every stream of the cluster. */
    void join_cluster();
    /** Records the streams `options` asks to (strict: a recorder that cannot start stops wscam). */
    void record(const app_options& options, bool strict);
    /** Looks for motion where `options` asks, with the events store open when any stream does. */
    void detect(const app_options& options, bool strict);
    /** rtsp://HOST:PORT/NAME (--rtsp-port): throws when the port cannot be had. */
    void serve_rtsp(const app_options& options);
    /** The [[webhook]] tables as outputs (made again when a reload changes them). */
    void hook_webhooks(const app_options& options);

    const app_options& options_;
    std::shared_ptr<stream_registry> registry_;
    server server_;
    std::optional<stream_set> streams_;         // made once the server runs: network cameras use its I/O threads
    std::shared_ptr<record::recordings> recordings_;  // after the streams it records
    std::optional<record::timelapses> timelapses_;    // likewise
    std::shared_ptr<events::event_fanout> event_outputs_ = std::make_shared<events::event_fanout>();
    std::shared_ptr<events::event_journal> journal_;  // the store's writer, once a stream detects
    std::shared_ptr<events::mqtt_output> mqtt_;       // --mqtt
    std::vector<std::shared_ptr<events::webhook_output>> webhooks_;  // [[webhook]]: replaced when a reload changes them
    std::optional<motion::motion_watches> motion_;    // after the streams and recordings its events drive
    std::optional<cluster::cluster_node> cluster_;
    std::unique_ptr<rtsp::rtsp_server> rtsp_;  // --rtsp-port: after the streams it serves
    std::optional<config_reloader> reloader_;  // last: it changes the streams and the server
};

}  // namespace wscam
