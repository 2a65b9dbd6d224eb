#pragma once

#include <string>
#include <vector>

#include "app/stream_specs.hpp"
#include "events/event_retention.hpp"
#include "events/mqtt/mqtt_output.hpp"
#include "server/server_config.hpp"
#include "sources/source_factory.hpp"

namespace wscam {

/** Everything the command line (and a --config file) says, validated. */
struct app_options {
    server_config server;
    /** Streams to serve, in order: the first is the one `/` and `/ws` show. */
    std::vector<stream_spec> streams;
    source_defaults defaults;
    std::string config_file;
    bool check_config = false;
    std::string log_level = "info";
    bool probe = false;
    bool list_devices = false;
    bool json = false;
    double probe_seconds = 10;
    /** --nats: the NATS servers of the cluster this node joins (empty: no cluster). */
    std::vector<std::string> nats_urls;
    /** --node: this node's name in the cluster (default: the host name). */
    std::string node;
    /** --cluster-forget-after: seconds a remote stream nobody claims stays listed (offline) before it goes. */
    double cluster_forget_after_s = 600;
    /** --cluster-secret-file: the file; `cluster_secret` its content (read at start, never logged). */
    std::string cluster_secret_file;
    std::string cluster_secret;
    /** --advertise-url: where clients reach this node, announced to the cluster (cluster::valid_advertise_url). */
    std::string advertise_url;
    /** --record-dir: where recordings go, one folder per stream (default: $STATE_DIRECTORY/recordings, else ./recordings). */
    std::string record_dir;
    /** --record-segment: seconds per recorded file. Which streams are recorded, and how: stream_spec::recording. */
    double record_segment_s = 300;
    /** --record-dir-max-bytes: the folder's cap; the oldest segments of any stream go first (0: none). */
    std::uint64_t record_dir_max_bytes = 0;
    /** --record-preroll, --record-postroll: seconds an events recording keeps before a clip's start and after its stop. */
    int record_preroll_s = 5;
    int record_postroll_s = 5;
    /** --events-max-age, --events-max-bytes: how long events and their snapshots are kept. */
    events::event_retention events_keep;
    /** --mqtt (empty: none), --mqtt-topic, --mqtt-discovery-prefix, --mqtt-ca: `mqtt` is what they say, checked. */
    std::string mqtt_url;
    std::string mqtt_topic = "wscam";
    std::string mqtt_discovery = "homeassistant";
    std::string mqtt_ca;
    std::optional<events::mqtt_settings> mqtt;
    /** --event-exec: a program run per event (split into words; empty: none), --event-exec-timeout its bound. */
    std::string event_exec;
    std::vector<std::string> event_exec_argv;
    double event_exec_timeout_s = 10;
    /** --rtsp-port: where rtsp://HOST:PORT/NAME is served (0: no RTSP server). */
    std::uint16_t rtsp_port = 8554;
    /** Whether --rtsp-port was given (command line or config file): then a port that cannot be had stops wscam. */
    bool rtsp_port_given = false;
    /** wscam's version (User-Agent, MQTT device). */
    std::string version;
    /** The config file's [[webhook]] tables, their URLs checked. */
    std::vector<config_webhook> webhooks;
};

/**
 * Parses argv (after the settings of `--config FILE`, which the command line overrides).
 * Returns true to go on; false with `exit_code` 0 after printing help or the version, or 2
 * after a usage error. Messages go to stderr, or into `errors` when given (a reload).
 */
bool parse_options(int argc, char** argv, app_options& out, int& exit_code, std::string* errors = nullptr);

/**
 * The options that differ between two configurations and take effect only when wscam starts
 * again (listening address, ports, TLS files, limits...), by their long names, in --help
 * order; the option table marks which they are. The streams, their sources and defaults, the
 * tokens and the log level are not among them: a reload applies those.
 */
std::vector<std::string> restart_only_changes(const app_options& running, const app_options& next);

}  // namespace wscam
