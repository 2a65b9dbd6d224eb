#include "app/options.hpp"

#include <CLI/CLI.hpp>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cctype>
#include <fstream>
#include <sstream>

#include "app/config_file.hpp"
#include "cluster/messages.hpp"
#include "core/redaction.hpp"
#include "core/text.hpp"
#include "core/frame_size.hpp"
#include "server/host_policy.hpp"

namespace wscam {

bool parse_options(int argc, char** argv, app_options& o, int& exit_code, std::string* errors) {
    // Messages go to stderr at start; a reload collects them for its log line.
    auto say = [errors](const std::string& text) {
        if (errors)
            *errors += (errors->empty() ? "" : "; ") + text;
        else
            std::fprintf(stderr, "%s\n", text.c_str());
    };
    CLI::App app{"wscam: streams live camera video to web browsers over WebSocket, with the lowest latency the "
                 "network allows.\nOpen http://HOST:PORT/ in a browser; plain WebSocket clients get one JPEG per "
                 "binary message from ws://HOST:PORT/ws.",
                 "wscam"};
    app.set_version_flag("--version", std::string("wscam ") + WSCAM_VERSION);
    app.get_formatter()->column_width(34);
    // A later option overrides an earlier one (handy with shell aliases and scripts).
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

    std::string size = "640x480";
    std::string source = "testsrc:";
    std::vector<std::string> extra_streams;
    double stall_s = 5, reconnect_s = 0.5, reconnect_max_s = 10;
    auto& s = o.server;
    auto& in = o.defaults.intake;
    auto* source_opt = app.add_option("-s,--source", source,
                   "Camera of the 'default' stream, as a URI: testsrc:[?size=&fps=&quality=&noise=], "
                   "v4l2:/dev/videoN[?size=&fps=&format=&buffers=&quality=&ctrl.NAME=], "
                   "file:DIR|CLIP.mjpeg[?fps=&loop=], pipe:-|PATH, exec:COMMAND ARG..., http(s)://HOST/stream, ws(s)://HOST:81/, "
                   "push:[?token=]")
        ->capture_default_str();
    app.add_option("--stream", extra_streams,
                   "Another stream, NAME=URI (repeatable). Without --source, the first one is shown at / and /ws");
    app.add_option("--size", size, "Default frame size: WIDTHxHEIGHT or QQVGA, QVGA, CIF, HVGA, VGA, SVGA, XGA, HD, "
                                   "SXGA, UXGA, FHD")
        ->capture_default_str();
    app.add_option("--fps", o.defaults.pattern.fps, "Default frame rate")->check(CLI::Range(0.1, 240.0))->capture_default_str();
    app.add_option("--quality", o.defaults.pattern.quality, "Default JPEG quality for sources that encode")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    app.add_flag("--always-on", o.defaults.pattern.always_on,
                 "Keep capturing when nobody watches (default: capture only while someone watches)");
    app.add_option("--max-frame-bytes", s.max_frame_bytes, "Largest JPEG accepted from a camera or publisher")
        ->check(CLI::Range(std::size_t{1024}, std::size_t{256} << 20))
        ->capture_default_str();
    app.add_option("--max-frame-pixels", s.max_frame_pixels,
                   "Largest picture (width x height) accepted from a camera or publisher; browsers must decode it")
        ->check(CLI::Range(std::uint64_t{64}, std::uint64_t{65535} * 65535))
        ->capture_default_str();
    app.add_option("--stall-timeout", stall_s, "Seconds without a valid frame before a camera counts as lost")
        ->check(CLI::Range(0.1, 3600.0))
        ->capture_default_str();
    app.add_option("--reconnect-delay", reconnect_s, "First delay before reconnecting to a lost camera, in seconds "
                                                     "(doubles up to --reconnect-max, with jitter)")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
    app.add_option("--reconnect-max", reconnect_max_s, "Longest delay between reconnection attempts, in seconds")
        ->check(CLI::Range(0.01, 3600.0))
        ->capture_default_str();
    app.add_option("--publish-token", in.publish_token,
                   "Token that cameras publishing to push: streams must present (?token=, Bearer or cookie "
                   "wscam_token)")
        ->envname("WSCAM_PUBLISH_TOKEN");
    app.add_option("--view-token", s.view_token,
                   "Token needed to watch (WebSocket, snapshot, API): ?token=, Bearer or cookie wscam_token")
        ->envname("WSCAM_VIEW_TOKEN");
    app.add_option("--control-token", s.control_token,
                   "Token needed to change camera controls (default: every viewer may)")
        ->envname("WSCAM_CONTROL_TOKEN");
    app.add_option("--allow-origin", s.allowed_origins,
                   "Also let web pages from this origin (e.g. https://dash.example:8443, or * for any) open "
                   "WebSockets; by default only pages from the host the client addressed may (repeatable)");
    app.add_option("--allowed-host", s.allowed_hosts,
                   "Also serve camera data to requests addressed to this host name (e.g. cam.example.org, *.home.arpa for "
                   "any name below it, * for any): besides IP addresses, localhost, this machine's names and the "
                   "certificate's, other names are refused (421) where no token is needed, against DNS rebinding (repeatable)");
    app.add_option("--tls-cert", s.tls_cert,
                   "PEM certificate (a full chain works, e.g. Let's Encrypt's fullchain.pem). With --tls-key the "
                   "port serves https:// and wss:// as well as plain http:// and ws://; SIGHUP reloads both files")
        ->check(CLI::ExistingFile);
    app.add_option("--tls-key", s.tls_key, "PEM private key of --tls-cert (e.g. Let's Encrypt's privkey.pem)")
        ->check(CLI::ExistingFile);
    app.add_flag("--require-tls", s.require_tls,
                 "Plain http:// pages are redirected to https://, plain WebSocket upgrades refused (403)");
    app.add_option("--max-connections-per-ip", s.max_connections_per_ip,
                   "Connections one client address (IPv6: one /64) may hold; more are refused at once with 429 "
                   "(0 = no limit)")
        ->capture_default_str();
    std::int64_t header_timeout_s = s.header_timeout.count();
    app.add_option("--header-timeout", header_timeout_s,
                   "Seconds a client has for the TLS handshake and a request's headers before it is cut off")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600}))
        ->capture_default_str();
    app.add_flag("--publish-takeover", in.publish_takeover,
                 "A new publisher replaces the current one (default: it is refused)");
    app.add_flag("--list-devices", o.list_devices,
                 "List the V4L2 cameras with their formats, sizes, frame rates and controls, and exit");
    app.add_flag("--json", o.json, "With --list-devices: print JSON");
    app.add_flag("--probe", o.probe, "Connect to --source, read a few frames, print what was found, and exit");
    app.add_option("--probe-seconds", o.probe_seconds, "How long --probe waits for frames")
        ->check(CLI::Range(1.0, 600.0))
        ->capture_default_str();
    app.add_option("-l,--listen", s.listen_address, "Address to listen on (0.0.0.0, ::, 127.0.0.1, ...)")
        ->capture_default_str();
    app.add_option("-p,--port", s.port, "HTTP and WebSocket port (0 = any free port)")->capture_default_str();
    app.add_option("--ws-port", s.ws_port,
                   "Also listen on this port for WebSocket only, like the ESP32 tutorial's ws://HOST:81");
    app.add_option("--threads", s.threads, "I/O threads (0 = one per core)")->capture_default_str();
    app.add_option("--web-root", s.web_root, "Serve the viewer from this folder instead of the embedded copy")
        ->check(CLI::ExistingDirectory);
    app.add_option("--send-lowat", s.send_lowat,
                   "Unsent bytes per viewer the kernel may hold before wscam picks the next frame (0 = no limit)")
        ->capture_default_str();
    std::int64_t write_timeout_s = s.write_timeout.count();
    app.add_option("--write-timeout", write_timeout_s,
                   "Seconds a viewer may take no frame at all before it is cut off, even if it keeps sending (0 = never)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{86400}))
        ->capture_default_str();
    app.add_option("--max-connections", s.max_connections, "Refuse connections beyond this many")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--h264-max-streams", s.h264_max_streams,
                   "Streams encoded to H.264 at once for viewers who ask (?codec=h264), each on a worker thread; "
                   "beyond it they get JPEG (0 turns H.264 off)")
        ->capture_default_str();
    app.add_option("--h264-preset", s.h264.preset, "x264 speed preset (tune zerolatency always): faster is cheaper, "
                                                   "slower compresses better")
        ->check(CLI::IsMember({"ultrafast", "superfast", "veryfast", "faster", "fast", "medium"}))
        ->capture_default_str();
    app.add_option("--h264-crf", s.h264.crf, "H.264 constant quality when --h264-bitrate is 0 (lower: better and larger)")
        ->check(CLI::Range(0, 51))
        ->capture_default_str();
    app.add_option("--h264-bitrate", s.h264.bitrate_kbps,
                   "H.264 average bitrate in kbit/s per stream (0: constant quality, --h264-crf)")
        ->check(CLI::Range(0, 200000))
        ->capture_default_str();
    app.add_option("--h264-max-bitrate", s.h264.max_kbps,
                   "Cap in kbit/s on any second of H.264 (0: none with --h264-crf, twice --h264-bitrate with it)")
        ->check(CLI::Range(0, 400000))
        ->capture_default_str();
    app.add_option("--h264-max-pixels", s.h264.max_pixels,
                   "Largest picture (width x height) encoded to H.264; a larger one is decoded at 1/2, 1/4 or 1/8 of its "
                   "size to fit (default 3840x2160)")
        ->check(CLI::Range(std::int64_t{4096}, std::int64_t{64} * 1024 * 1024))
        ->capture_default_str();
    app.add_option("--h264-slow-link-bitrate", s.h264.slow_link_kbps,
                   "Cap in kbit/s of a stream's reduced H.264 rendition (at most 960 pixels wide): a viewer whose link "
                   "cannot carry the stream gets it instead of falling behind, and tries the full one again now and then (0: none; it counts "
                   "as a stream under --h264-max-streams)")
        ->check(CLI::Range(0, 400000))
        ->capture_default_str();
    app.add_option("--h264-keyint", s.h264.keyint_s,
                   "Seconds between H.264 keyframes at most (new viewers also get one within 0.5 s of asking)")
        ->check(CLI::Range(0.1, 60.0))
        ->capture_default_str();
    app.add_option("--nats", o.nats_urls,
                   "Join a cluster of wscam nodes through these NATS servers (nats://[user:pass@]host:4222, this node's own "
                   "first; comma-separated or repeated): every node serves every stream of the cluster")
        ->delimiter(',');
    app.add_option("--node", o.node, "This node's name in the cluster: 1-64 of A-Z a-z 0-9 _ . - (default: the host name)");
    app.add_option("--cluster-secret-file", o.cluster_secret_file,
                   "A file holding the cluster's shared secret (16+ bytes, e.g. openssl rand -hex 32): every cluster message is "
                   "signed with it, and messages without a valid signature are dropped, so that reading the NATS is not "
                   "enough to pose as a node; the same file on every node");
    app.add_option("--cluster-forget-after", o.cluster_forget_after_s,
                   "Seconds a stream of another node stays listed (offline, with the reason) after no node serves it")
        ->check(CLI::Range(1.0, 86400.0))
        ->capture_default_str();
    app.add_option("--config", o.config_file,
                   "Read settings and cameras from this TOML file (the command line overrides it; SIGHUP applies its changes); see "
                   "packaging/wscam.toml");
    app.add_flag("--check-config", o.check_config, "Check --config, print the streams it would run, and exit");
    app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();

    app.footer(
        "TLS on the same port (https:// and wss://; plain http:// keeps working unless --require-tls):\n"
        "  A certificate for a LAN (each browser asks once whether to trust it), e.g. for 192.168.1.20:\n"
        "    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 -keyout wscam.key \\\n"
        "      -out wscam.crt -subj /CN=wscam -addext subjectAltName=IP:192.168.1.20,DNS:wscam.local\n"
        "    wscam --tls-cert wscam.crt --tls-key wscam.key\n"
        "  Let's Encrypt (certbot): --tls-cert /etc/letsencrypt/live/HOST/fullchain.pem\n"
        "    --tls-key /etc/letsencrypt/live/HOST/privkey.pem, and in a deploy hook: kill -HUP $(pidof wscam)\n"
        "  A camera with a self-signed certificate: add #insecure to its https:// or wss:// URI.");

    // A config file's settings go first, as if typed before the command line's, which then wins.
    std::vector<std::string> args(argv + 1, argv + argc);
    config_document file;
    std::string config_path;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) config_path = args[i + 1];
        if (args[i].rfind("--config=", 0) == 0) config_path = args[i].substr(9);
    }
    std::vector<std::string> file_args;
    if (!config_path.empty()) {
        try {
            file = read_config_file(config_path);
            for (const auto& setting : file.settings) {
                const CLI::Option* opt = app.get_option_no_throw("--" + setting.option);
                if (!opt)
                    throw config_file_error(setting.where + ": unknown setting '" + setting.option +
                                            "' (the settings are the long options of wscam --help)");
                const bool flag = opt->get_expected_min() == 0;
                if (flag != setting.boolean)
                    throw config_file_error(setting.where + ": " + setting.option +
                                            (flag ? " is true or false" : " takes a value, not true/false"));
                if (setting.values.size() > 1 && opt->get_expected_max() <= 1)
                    throw config_file_error(setting.where + ": " + setting.option + " takes one value, not a list");
                for (const auto& v : setting.values) {
                    if (flag) {
                        if (v == "true") file_args.push_back("--" + setting.option);
                    } else {
                        file_args.push_back("--" + setting.option);
                        file_args.push_back(v);
                    }
                }
            }
        } catch (const config_file_error& e) {
            say(e.what());
            exit_code = 2;
            return false;
        }
    }
    std::vector<std::string> all = file_args;
    all.insert(all.end(), args.begin(), args.end());
    std::reverse(all.begin(), all.end());  // CLI11 takes them last first
    try {
        app.parse(std::move(all));
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every usage error exits 2, as command-line tools do.
        std::ostringstream out, err;
        const int rc = errors ? app.exit(e, out, err) : app.exit(e);
        if (errors) say(err.str().substr(0, err.str().find('\n')));
        exit_code = rc == 0 ? 0 : 2;
        // A bad value from the file: say where it was.
        for (const auto& setting : file.settings)
            if (rc != 0 && std::string(e.what()).find("--" + setting.option) != std::string::npos)
                say("(" + setting.where + " sets " + setting.option + ")");
        return false;
    }
    std::string error;
    auto parsed = parse_frame_size(size, &error);
    if (!parsed) {
        say("--size: " + error);
        exit_code = 2;
        return false;
    }
    o.defaults.pattern.size = *parsed;
    in.fps = o.defaults.pattern.fps;
    in.always_on = o.defaults.pattern.always_on;
    in.max_frame_bytes = s.max_frame_bytes;
    in.max_frame_pixels = s.max_frame_pixels;
    s.write_timeout = std::chrono::seconds(write_timeout_s);
    s.header_timeout = std::chrono::seconds(header_timeout_s);
    if (s.tls_cert.empty() != s.tls_key.empty()) {
        say("--tls-cert and --tls-key go together");
        exit_code = 2;
        return false;
    }
    for (const auto& name : s.allowed_hosts)
        if (!valid_allowed_host(name)) {
            say("--allowed-host: '" + sanitize_text(name) +
                "' is not a host name (e.g. cam.example.org, *.home.arpa for the names below it, or * for any; no scheme or port)");
            exit_code = 2;
            return false;
        }
    if (s.require_tls && s.tls_cert.empty()) {
        say("--require-tls needs --tls-cert and --tls-key");
        exit_code = 2;
        return false;
    }
    auto ms = [](double seconds) { return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000)); };
    in.stall_timeout = ms(stall_s);
    in.reconnect_initial = ms(reconnect_s);
    in.reconnect_max = ms(std::max(reconnect_s, reconnect_max_s));

    // Streams: --source (default), the file's [[stream]] tables, then --stream (which replaces a file's stream of that name).
    auto add_stream = [&](stream_spec spec) {
        for (auto& existing : o.streams)
            if (existing.name == spec.name) {
                existing = std::move(spec);
                return;
            }
        o.streams.push_back(std::move(spec));
    };
    // A cluster node may serve only the other nodes' streams: no test pattern of its own unless asked.
    const bool implicit_default = extra_streams.empty() && file.streams.empty() && o.nats_urls.empty();
    if (implicit_default || source_opt->count() > 0)
        add_stream({"default", source, o.defaults, "--source"});
    for (const auto& fs : file.streams) {
        stream_spec spec{fs.name, fs.source, o.defaults, fs.where};
        auto& d = spec.defaults;
        if (fs.always_on) d.pattern.always_on = d.intake.always_on = *fs.always_on;
        if (fs.fps) d.pattern.fps = d.intake.fps = *fs.fps;
        if (fs.quality) d.pattern.quality = *fs.quality;
        if (fs.publish_token) d.intake.publish_token = *fs.publish_token;
        if (fs.size) {
            auto parsed_size = parse_frame_size(*fs.size, &error);
            if (!parsed_size) {
                say(fs.where + ": stream " + fs.name + ": size: " + error);
                exit_code = 2;
                return false;
            }
            d.pattern.size = *parsed_size;
        }
        if (fs.view_token || fs.control_token) s.stream_access[fs.name] = {fs.view_token, fs.control_token};
        add_stream(std::move(spec));
    }
    for (const auto& spec : extra_streams) {
        const auto eq = spec.find('=');
        if (eq == std::string::npos || eq == 0) {
            say("--stream: '" + spec + "' is not NAME=URI");
            exit_code = 2;
            return false;
        }
        add_stream({spec.substr(0, eq), spec.substr(eq + 1), o.defaults, "--stream"});
    }
    for (const auto& url : o.nats_urls)
        if (url.rfind("nats://", 0) != 0 && url.rfind("tls://", 0) != 0) {
            say("--nats: '" + redact_command_line(url) + "' is not a nats:// or tls:// URL");
            exit_code = 2;
            return false;
        }
    if (!o.cluster_secret_file.empty()) {
        std::ifstream file(o.cluster_secret_file, std::ios::binary);
        std::string secret((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) secret.pop_back();
        if (!file.good() && !file.eof()) secret.clear();
        if (!file.is_open() || secret.size() < 16 || secret.size() > 4096) {
            say("--cluster-secret-file: '" + sanitize_text(o.cluster_secret_file) + "' " +
                (!file.is_open() ? std::string("cannot be read") : "must hold 16 to 4096 bytes (e.g. openssl rand -hex 32 > FILE)"));
            exit_code = 2;
            return false;
        }
        o.cluster_secret = std::move(secret);
    }
    if (!o.node.empty() && !cluster::valid_node_name(o.node)) {
        say("--node: '" + sanitize_text(o.node) + "' is not a node name (1-64 of A-Z a-z 0-9 _ . -)");
        exit_code = 2;
        return false;
    }
    if (o.node.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        o.node = cluster::node_name_from_host(host);
    }
    if (!o.streams.empty()) s.default_stream = o.streams.front().name;
    exit_code = 0;
    return true;
}

std::vector<std::string> restart_only_changes(const app_options& running, const app_options& next) {
    const auto& a = running.server;
    const auto& b = next.server;
    std::vector<std::string> changed;
    auto check = [&](bool differs, const char* option) {
        if (differs) changed.emplace_back(option);
    };
    check(a.listen_address != b.listen_address, "listen");
    check(a.port != b.port, "port");
    check(a.ws_port != b.ws_port, "ws-port");
    check(a.threads != b.threads, "threads");
    check(a.web_root != b.web_root, "web-root");
    check(a.max_connections != b.max_connections, "max-connections");
    check(a.max_connections_per_ip != b.max_connections_per_ip, "max-connections-per-ip");
    check(a.header_timeout != b.header_timeout, "header-timeout");
    check(a.write_timeout != b.write_timeout, "write-timeout");
    check(a.max_frame_bytes != b.max_frame_bytes, "max-frame-bytes");
    check(a.max_frame_pixels != b.max_frame_pixels, "max-frame-pixels");
    check(a.send_lowat != b.send_lowat, "send-lowat");
    check(a.allowed_origins != b.allowed_origins, "allow-origin");
    check(a.allowed_hosts != b.allowed_hosts, "allowed-host");
    check(a.tls_cert != b.tls_cert, "tls-cert");
    check(a.tls_key != b.tls_key, "tls-key");
    check(a.require_tls != b.require_tls, "require-tls");
    check(running.nats_urls != next.nats_urls, "nats");
    check(running.node != next.node, "node");
    check(running.cluster_forget_after_s != next.cluster_forget_after_s, "cluster-forget-after");
    check(running.cluster_secret != next.cluster_secret, "cluster-secret-file");
    return changed;
}

}  // namespace wscam
