#include "app/option_table.hpp"

namespace wscam {

option_table::option_table(app_options& o, raw_options& raw)
    : app_("wscam: streams live camera video to web browsers over WebSocket, with the lowest latency the "
           "network allows.\nOpen http://HOST:PORT/ in a browser; plain WebSocket clients get one JPEG per "
           "binary message from ws://HOST:PORT/ws.",
           "wscam") {
    app_.set_version_flag("--version", std::string("wscam ") + WSCAM_VERSION);
    app_.get_formatter()->column_width(34);
    // A later option overrides an earlier one (handy with shell aliases and scripts).
    app_.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

    add_camera_options(o, raw);
    add_access_options(o, raw);
    add_tool_options(o);
    add_network_options(o, raw);
    add_h264_options(o.server);
    add_cluster_options(o);
    add_record_options(o, raw);
    add_motion_options(o, raw);
    add_config_options(o);

    app_.footer(
        "TLS on the same port (https:// and wss://; plain http:// keeps working unless --require-tls):\n"
        "  A certificate for a LAN (each browser asks once whether to trust it), e.g. for 192.168.1.20:\n"
        "    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -keyout wscam.key \\\n"
        "      -out wscam.crt -subj /CN=wscam -addext subjectAltName=IP:192.168.1.20,DNS:wscam.local\n"
        "    wscam --tls-cert wscam.crt --tls-key wscam.key\n"
        "  Let's Encrypt (certbot): --tls-cert /etc/letsencrypt/live/HOST/fullchain.pem\n"
        "    --tls-key /etc/letsencrypt/live/HOST/privkey.pem, and in a deploy hook: kill -HUP $(pidof wscam)\n"
        "  A camera with a self-signed certificate: add #insecure to its https:// or wss:// URI.");
}

std::vector<std::string> option_table::restart_only_changes(const app_options& a, const app_options& b) const {
    std::vector<std::string> changed;
    for (const auto& option : restart_only_)
        if (option.differs(a, b)) changed.push_back(option.name);
    return changed;
}

template <class T>
CLI::Option* option_table::restart_only(CLI::Option* opt, T server_config::*field) {
    restart_only_.push_back(
        {opt->get_single_name(), [field](const app_options& a, const app_options& b) { return a.server.*field != b.server.*field; }});
    return opt;
}

template <class T>
CLI::Option* option_table::restart_only(CLI::Option* opt, T app_options::*field) {
    restart_only_.push_back({opt->get_single_name(), [field](const app_options& a, const app_options& b) { return a.*field != b.*field; }});
    return opt;
}

template <class T>
CLI::Option* option_table::restart_only(CLI::Option* opt, T h264_settings::*field) {
    restart_only_.push_back({opt->get_single_name(), [field](const app_options& a, const app_options& b) {
                                 return a.server.h264.*field != b.server.h264.*field;
                             }});
    return opt;
}

// What the cameras are and how their frames are taken in.
void option_table::add_camera_options(app_options& o, raw_options& raw) {
    auto& pattern = o.defaults.pattern;
    source_ = app_.add_option("-s,--source", raw.source,
                              "Camera of the 'default' stream, as a URI: testsrc:[?size=&fps=&quality=&noise=], "
                              "v4l2:/dev/videoN[?size=&fps=&format=&buffers=&quality=&ctrl.NAME=], "
                              "file:DIR|CLIP.mjpeg[?fps=&loop=], pipe:-|PATH, exec:COMMAND ARG..., http(s)://HOST/stream, ws(s)://HOST:81/, "
                              "push:[?token=]")
                  ->capture_default_str();
    app_.add_option("--stream", raw.streams,
                    "Another stream, NAME=URI (repeatable). Without --source, the first one is shown at / and /ws");
    app_.add_option("--size", raw.size, "Default frame size: WIDTHxHEIGHT or QQVGA, QVGA, CIF, HVGA, VGA, SVGA, XGA, HD, "
                                        "SXGA, UXGA, FHD")
        ->capture_default_str();
    app_.add_option("--fps", pattern.fps, "Default frame rate")->check(CLI::Range(0.1, 240.0))->capture_default_str();
    app_.add_option("--quality", pattern.quality, "Default JPEG quality for sources that encode")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    app_.add_flag("--always-on", pattern.always_on,
                  "Keep capturing when nobody watches (default: capture only while someone watches)");
    restart_only(app_.add_option("--max-frame-bytes", o.server.max_frame_bytes, "Largest JPEG accepted from a camera or publisher")
                     ->check(CLI::Range(std::size_t{1024}, std::size_t{256} << 20))
                     ->capture_default_str(),
                 &server_config::max_frame_bytes);
    restart_only(app_.add_option("--max-frame-pixels", o.server.max_frame_pixels,
                                 "Largest picture (width x height) accepted from a camera or publisher; browsers must decode it")
                     ->check(CLI::Range(std::uint64_t{64}, std::uint64_t{65535} * 65535))
                     ->capture_default_str(),
                 &server_config::max_frame_pixels);
    app_.add_option("--stall-timeout", raw.stall_s, "Seconds without a valid frame before a camera counts as lost")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
    app_.add_option("--reconnect-delay", raw.reconnect_s, "First delay before reconnecting to a lost camera, in seconds "
                                                          "(doubles up to --reconnect-max, with jitter)")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
    app_.add_option("--reconnect-max", raw.reconnect_max_s, "Longest delay between reconnection attempts, in seconds")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
}

// Who may publish, watch and control, from which pages and host names, over TLS or not; what one client may hold.
void option_table::add_access_options(app_options& o, raw_options& raw) {
    auto& s = o.server;
    app_.add_option("--publish-token", o.defaults.intake.publish_token,
                    "Token that cameras publishing to push: streams must present (?token=, Bearer or cookie "
                    "wscam_token)")
        ->envname("WSCAM_PUBLISH_TOKEN");
    app_.add_option("--view-token", s.view_token,
                    "Token needed to watch (WebSocket, snapshot, API): ?token=, Bearer or cookie wscam_token")
        ->envname("WSCAM_VIEW_TOKEN");
    app_.add_option("--control-token", s.control_token, "Token needed to change camera controls (default: every viewer may)")
        ->envname("WSCAM_CONTROL_TOKEN");
    restart_only(app_.add_option("--allow-origin", s.allowed_origins,
                                 "Also let web pages from this origin (e.g. https://dash.example:8443, or * for any) open "
                                 "WebSockets; by default only pages from the host the client addressed may (repeatable)"),
                 &server_config::allowed_origins);
    restart_only(app_.add_option("--allowed-host", s.allowed_hosts,
                                 "Also serve camera data to requests addressed to this host name (e.g. cam.example.org, *.home.arpa for "
                                 "any name below it, * for any): besides IP addresses, localhost, this machine's names and the "
                                 "certificate's, other names are refused (421) where no token is needed, against DNS rebinding (repeatable)"),
                 &server_config::allowed_hosts);
    restart_only(app_.add_option("--tls-cert", s.tls_cert,
                                 "PEM certificate (a full chain works, e.g. Let's Encrypt's fullchain.pem). With --tls-key the "
                                 "port serves https:// and wss:// as well as plain http:// and ws://; SIGHUP reloads both files")
                     ->check(CLI::ExistingFile),
                 &server_config::tls_cert);
    restart_only(app_.add_option("--tls-key", s.tls_key, "PEM private key of --tls-cert (e.g. Let's Encrypt's privkey.pem)")
                     ->check(CLI::ExistingFile),
                 &server_config::tls_key);
    restart_only(app_.add_flag("--require-tls", s.require_tls,
                               "Plain http:// pages are redirected to https://, plain WebSocket upgrades refused (403)"),
                 &server_config::require_tls);
    restart_only(app_.add_option("--max-connections-per-ip", s.max_connections_per_ip,
                                 "Connections one client address (IPv6: one /64) may hold; more are refused at once with 429 "
                                 "(0 = no limit)")
                     ->capture_default_str(),
                 &server_config::max_connections_per_ip);
    restart_only(app_.add_option("--header-timeout", raw.header_timeout_s,
                                 "Seconds a client has for the TLS handshake and a request's headers before it is cut off")
                     ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}))
                     ->capture_default_str(),
                 &server_config::header_timeout);
    app_.add_flag("--publish-takeover", o.defaults.intake.publish_takeover,
                  "A new publisher replaces the current one (default: it is refused)");
}

// What wscam does instead of serving: list cameras, probe one.
void option_table::add_tool_options(app_options& o) {
    app_.add_flag("--list-devices", o.list_devices,
                  "List the V4L2 cameras with their formats, sizes, frame rates and controls, and exit");
    app_.add_flag("--json", o.json, "With --list-devices: print JSON");
    app_.add_flag("--probe", o.probe, "Connect to --source, read a few frames, print what was found, and exit");
    app_.add_option("--probe-seconds", o.probe_seconds, "How long --probe waits for frames")
        ->check(CLI::Range(1.0, 600.0))
        ->capture_default_str();
}

// Where wscam listens, with how many threads, and how much each connection may hold.
void option_table::add_network_options(app_options& o, raw_options& raw) {
    auto& s = o.server;
    restart_only(app_.add_option("-l,--listen", s.listen_address, "Address to listen on (0.0.0.0, ::, 127.0.0.1, ...)")
                     ->capture_default_str(),
                 &server_config::listen_address);
    restart_only(app_.add_option("-p,--port", s.port, "HTTP and WebSocket port (0 = any free port)")->capture_default_str(),
                 &server_config::port);
    restart_only(app_.add_option("--ws-port", s.ws_port,
                                 "Also listen on this port for WebSocket only, like the ESP32 tutorial's ws://HOST:81"),
                 &server_config::ws_port);
    restart_only(app_.add_option("--rtsp-port", o.rtsp_port,
                                 "RTSP port: every stream as rtsp://HOST:PORT/NAME, the same H.264 encode as the viewers' "
                                 "(0 = no RTSP)")
                     ->capture_default_str(),
                 &app_options::rtsp_port);
    restart_only(app_.add_option("--threads", s.threads, "I/O threads (0 = one per core)")->capture_default_str(),
                 &server_config::threads);
    restart_only(app_.add_option("--web-root", s.web_root, "Serve the viewer from this folder instead of the embedded copy")
                     ->check(CLI::ExistingDirectory),
                 &server_config::web_root);
    restart_only(app_.add_option("--send-lowat", s.send_lowat,
                                 "Unsent bytes per viewer the kernel may hold before wscam picks the next frame (0 = no limit)")
                     ->capture_default_str(),
                 &server_config::send_lowat);
    restart_only(app_.add_option("--write-timeout", raw.write_timeout_s,
                                 "Seconds a viewer may take no frame at all before it is cut off, even if it keeps sending (0 = never)")
                     ->check(CLI::Range(std::int64_t{0}, std::int64_t{86400}))
                     ->capture_default_str(),
                 &server_config::write_timeout);
    restart_only(app_.add_option("--max-connections", s.max_connections, "Refuse connections beyond this many")
                     ->check(CLI::PositiveNumber)
                     ->capture_default_str(),
                 &server_config::max_connections);
}

// How streams are encoded for H.264 viewers (all restart-only: each encoder keeps the settings it started with).
void option_table::add_h264_options(server_config& s) {
    restart_only(app_.add_option("--h264-max-streams", s.h264_max_streams,
                                 "Streams encoded to H.264 at once for viewers who ask (?codec=h264), each on a worker "
                                 "thread; beyond it they get JPEG (0 turns H.264 off)")
                     ->capture_default_str(),
                 &server_config::h264_max_streams);
    restart_only(app_.add_option("--h264-preset", s.h264.preset,
                                 "x264 speed preset (tune zerolatency always): faster is cheaper, slower compresses better")
                     ->check(CLI::IsMember({"ultrafast", "superfast", "veryfast", "faster", "fast", "medium"}))
                     ->capture_default_str(),
                 &h264_settings::preset);
    restart_only(app_.add_option("--h264-crf", s.h264.crf,
                                 "H.264 constant quality when --h264-bitrate is 0 (lower: better and larger)")
                     ->check(CLI::Range(0, 51))
                     ->capture_default_str(),
                 &h264_settings::crf);
    restart_only(app_.add_option("--h264-bitrate", s.h264.bitrate_kbps,
                                 "H.264 average bitrate in kbit/s per stream (0: constant quality, --h264-crf)")
                     ->check(CLI::Range(0, 200000))
                     ->capture_default_str(),
                 &h264_settings::bitrate_kbps);
    restart_only(app_.add_option("--h264-max-bitrate", s.h264.max_kbps,
                                 "Cap in kbit/s on any second of H.264 (0: none with --h264-crf, twice --h264-bitrate "
                                 "with it)")
                     ->check(CLI::Range(0, 400000))
                     ->capture_default_str(),
                 &h264_settings::max_kbps);
    restart_only(app_.add_option("--h264-max-pixels", s.h264.max_pixels,
                                 "Largest picture (width x height) encoded to H.264; a larger one is decoded at 1/2, 1/4 "
                                 "or 1/8 of its size to fit (default 3840x2160)")
                     ->check(CLI::Range(std::int64_t{4096}, std::int64_t{64} * 1024 * 1024))
                     ->capture_default_str(),
                 &h264_settings::max_pixels);
    restart_only(app_.add_option("--h264-slow-link-bitrate", s.h264.slow_link_kbps,
                                 "Cap in kbit/s of a stream's reduced H.264 rendition (at most 960 pixels wide): a viewer "
                                 "whose link cannot carry the stream gets it instead of falling behind, and tries the full "
                                 "one again now and then (0: none; it counts as a stream under --h264-max-streams)")
                     ->check(CLI::Range(0, 400000))
                     ->capture_default_str(),
                 &h264_settings::slow_link_kbps);
    restart_only(app_.add_option("--h264-keyint", s.h264.keyint_s,
                                 "Seconds between H.264 keyframes at most (new viewers also get one within 0.5 s of asking)")
                     ->check(CLI::Range(0.1, 60.0))
                     ->capture_default_str(),
                 &h264_settings::keyint_s);
}

// The cluster this node joins (all restart-only: a node joins once).
// What is kept on disk. A reload applies all of it: recorders stop and start as their settings change.
void option_table::add_record_options(app_options& o, raw_options& raw) {
    app_.add_option("--record", raw.record,
                    "Record every stream (a [[stream]]'s record = ... overrides): continuous, events (clips only, each "
                    "with --record-preroll before it: started and stopped with POST /api/recordings/NAME/clip/start and "
                    "/clip/stop) or off. A stream that records keeps its camera on")
        ->check(CLI::IsMember({"off", "continuous", "events"}))
        ->capture_default_str();
    app_.add_option("--record-codec", raw.record_codec,
                    "What recordings hold: h264 (the stream's H.264 encoder, shared with live H.264 viewers; needs a "
                    "--h264-max-streams slot) or mjpeg (the camera's JPEGs as they came, no CPU spent)")
        ->check(CLI::IsMember({"h264", "mjpeg"}))
        ->capture_default_str();
    app_.add_option("--record-dir", o.record_dir,
                    "Folder of the recordings, one folder per stream (default: $STATE_DIRECTORY/recordings under "
                    "systemd, else ./recordings)");
    app_.add_option("--record-segment", o.record_segment_s, "Seconds of video per recorded file (fragmented MP4)")
        ->check(CLI::Range(5.0, 86400.0))
        ->capture_default_str();
    app_.add_option("--record-max-age", raw.record_max_age,
                    "Keep each stream's recordings this long (seconds, or 90s, 30m, 12h, 7d; 0: no limit; a [[stream]]'s "
                    "record_max_age overrides): older segments are deleted")
        ->capture_default_str();
    app_.add_option("--record-max-bytes", raw.record_max_bytes,
                    "Keep at most this much of each stream (bytes, or 500M, 20G, 2T; 0: no limit; a [[stream]]'s "
                    "record_max_bytes overrides): its oldest segments are deleted")
        ->capture_default_str();
    app_.add_option("--record-dir-max-bytes", raw.record_dir_max_bytes,
                    "Keep at most this much in --record-dir in all (e.g. 200G; 0: no limit): the oldest segments of any "
                    "stream are deleted first")
        ->capture_default_str();
    app_.add_option("--record-preroll", o.record_preroll_s,
                    "record = events: seconds kept before a clip's start (held in memory, so the clip shows what led to it)")
        ->check(CLI::Range(0, 60))
        ->capture_default_str();
    app_.add_option("--record-postroll", o.record_postroll_s, "record = events: seconds kept after a clip's stop")
        ->check(CLI::Range(0, 600))
        ->capture_default_str();
    app_.add_option("--timelapse", raw.timelapse,
                    "Keep a timelapse of every stream (a [[stream]]'s timelapse = ... overrides): one picture every "
                    "period (60s, 5m; 0: none) in a daily MP4 at 30 fps, in --record-dir/NAME/timelapse, whether or not "
                    "the stream is recorded; keeps the camera on")
        ->capture_default_str();
}

// Motion detection and its events. A reload applies all of it.
void option_table::add_motion_options(app_options& o, raw_options& raw) {
    app_.add_flag("--motion", raw.motion,
                  "Look for motion on every stream (a [[stream]]'s motion = ... overrides; its mask too): each event is kept "
                  "with a snapshot (GET /api/events), told to viewers, and drives record = events clips. Keeps the camera on");
    app_.add_option("--motion-threshold", raw.motion_threshold,
                    "A pixel moved when its brightness changed by more than this (1-255; a [[stream]]'s motion_threshold overrides)")
        ->check(CLI::Range(1, 255))
        ->capture_default_str();
    app_.add_option("--motion-min-area", raw.motion_min_area,
                    "Motion is at least this share of the picture moving (0.0001-1; a [[stream]]'s motion_min_area overrides)")
        ->check(CLI::Range(0.0001, 1.0))
        ->capture_default_str();
    app_.add_option("--motion-cooldown", raw.motion_cooldown,
                    "An event ends after this long without motion (0.5s-1h: 5s, 2m; a [[stream]]'s motion_cooldown overrides)")
        ->capture_default_str();
    // The broker's connection is made once: changing it takes a restart.
    restart_only(app_.add_option("--mqtt", o.mqtt_url,
                                 "Send motion events to this MQTT broker: mqtt://[user:pass@]HOST[:PORT] or mqtts://... (TLS): each "
                                 "stream's state, event JSON and snapshot, and Home Assistant discovery, so cameras appear there with no YAML"),
                 &app_options::mqtt_url);
    restart_only(app_.add_option("--mqtt-topic", o.mqtt_topic, "Where wscam's MQTT topics start (TOPIC/STREAM/motion ...)")
                     ->capture_default_str(),
                 &app_options::mqtt_topic);
    restart_only(app_.add_option("--mqtt-discovery-prefix", o.mqtt_discovery,
                                 "Home Assistant's MQTT discovery prefix (empty: no discovery messages)")
                     ->capture_default_str(),
                 &app_options::mqtt_discovery);
    restart_only(app_.add_option("--mqtt-ca", o.mqtt_ca, "The CA certificate (PEM) of an mqtts:// broker (default: the system's CAs)"),
                 &app_options::mqtt_ca);
    restart_only(app_.add_option("--event-exec", o.event_exec,
                                 "Run this program for each motion event's start and end, the event as JSON on its stdin (no shell: "
                                 "the line is split into words; at most 4 at once)"),
                 &app_options::event_exec);
    restart_only(app_.add_option("--event-exec-timeout", o.event_exec_timeout_s, "Seconds an --event-exec program may run before it is ended")
                     ->check(CLI::Range(0.1, 3600.0))
                     ->capture_default_str(),
                 &app_options::event_exec_timeout_s);
    app_.add_option("--events-max-age", raw.events_max_age, "Keep motion events and their snapshots this long (90s, 12h, 30d; 0: no limit)")
        ->capture_default_str();
    app_.add_option("--events-max-bytes", raw.events_max_bytes,
                    "Keep at most this much of event snapshots in all (500M, 1G; 0: no limit): the oldest events go first")
        ->capture_default_str();
}

void option_table::add_cluster_options(app_options& o) {
    restart_only(app_.add_option("--nats", o.nats_urls,
                                 "Join a cluster of wscam nodes through these NATS servers (nats://[user:pass@]host:4222, this node's own "
                                 "first; comma-separated or repeated): every node serves every stream of the cluster")
                     ->delimiter(','),
                 &app_options::nats_urls);
    restart_only(app_.add_option("--node", o.node,
                                 "This node's name in the cluster: 1-64 of A-Z a-z 0-9 _ . - (default: the host name)"),
                 &app_options::node);
    // Compared by content: a new secret in the same file counts as a change.
    restart_only(app_.add_option("--cluster-secret-file", o.cluster_secret_file,
                                 "A file holding the cluster's shared secret (16+ bytes, e.g. openssl rand -hex 32): every cluster message is "
                                 "signed with it, and messages without a valid signature are dropped, so that reading the NATS is not "
                                 "enough to pose as a node; the same file on every node"),
                 &app_options::cluster_secret);
    restart_only(app_.add_option("--advertise-url", o.advertise_url,
                                 "Where clients reach this node (http(s)://HOST[:PORT]), said to the cluster: other nodes send "
                                 "requests for the recordings of this node's streams here (307)"),
                 &app_options::advertise_url);
    restart_only(app_.add_option("--cluster-forget-after", o.cluster_forget_after_s,
                                 "Seconds a stream of another node stays listed (offline, with the reason) after no node serves it")
                     ->check(CLI::Range(1.0, 86400.0))
                     ->capture_default_str(),
                 &app_options::cluster_forget_after_s);
}

// The config file, and how much wscam logs.
void option_table::add_config_options(app_options& o) {
    app_.add_option("--config", o.config_file,
                    "Read settings and cameras from this TOML file (the command line overrides it; SIGHUP applies its changes); see "
                    "packaging/wscam.toml");
    app_.add_flag("--check-config", o.check_config, "Check --config, print the streams it would run, and exit");
    app_.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
}

}  // namespace wscam
