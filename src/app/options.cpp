#include "app/options.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/config_merge.hpp"
#include "core/command_words.hpp"
#include "sources/network_url.hpp"
#include "app/option_table.hpp"
#include "app/usage_error.hpp"
#include "cluster/messages.hpp"
#include "core/frame_size.hpp"
#include "core/redaction.hpp"
#include "core/text.hpp"
#include "server/host_policy.hpp"

namespace wscam {
namespace {

// What was typed in app_options' form: the size, the seconds, the settings held twice.
void convert_raw(app_options& o, const raw_options& raw) {
    std::string error;
    const auto size = parse_frame_size(raw.size, &error);
    if (!size) throw usage_error("--size: " + error);
    o.defaults.pattern.size = *size;
    o.server.write_timeout = std::chrono::seconds(raw.write_timeout_s);
    o.server.header_timeout = std::chrono::seconds(raw.header_timeout_s);
    auto ms = [](double seconds) { return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000)); };
    auto& in = o.defaults.intake;
    in.stall_timeout = ms(raw.stall_s);
    in.reconnect_initial = ms(raw.reconnect_s);
    in.reconnect_max = ms(std::max(raw.reconnect_s, raw.reconnect_max_s));
    o.defaults = joined(o.defaults, o.server);
}

// --record and --record-codec (CLI11 checked the names).
stream_recording recording_from(const raw_options& raw) {
    stream_recording r;
    r.mode = *record::parse_mode(raw.record);
    r.codec = *record::parse_codec(raw.record_codec);
    const auto age = record::parse_age(raw.record_max_age);
    if (!age) throw usage_error("--record-max-age: give seconds, or a number with s, m, h or d (7d), not '" + sanitize_text(raw.record_max_age) + "'");
    const auto bytes = record::parse_bytes(raw.record_max_bytes);
    if (!bytes) throw usage_error("--record-max-bytes: give bytes, or a number with K, M, G or T (20G), not '" + sanitize_text(raw.record_max_bytes) + "'");
    r.keep = {*age, *bytes};
    const auto lapse = record::parse_timelapse(raw.timelapse);
    if (!lapse) throw usage_error("--timelapse: give seconds from 1 to 86400, or a number with s, m or h (60s); 0: none; not '" + sanitize_text(raw.timelapse) + "'");
    r.timelapse_s = *lapse;
    r.motion_defaults.threshold = raw.motion_threshold;
    r.motion_defaults.min_area = raw.motion_min_area;
    const auto cooldown = motion::parse_cooldown(raw.motion_cooldown);
    if (!cooldown) throw usage_error("--motion-cooldown: give seconds, or a number with s or m (5s, 2m), from 0.5s to 1h; not '" + sanitize_text(raw.motion_cooldown) + "'");
    r.motion_defaults.cooldown = *cooldown;
    if (raw.motion) r.motion = r.motion_defaults;
    return r;
}

// --record-dir, else the service's state directory (systemd's StateDirectory=, a colon-separated
// list: the first), else ./recordings.
std::string record_dir_or_default(const std::string& given) {
    if (!given.empty()) return given;
    if (const char* state = std::getenv("STATE_DIRECTORY"); state && *state) {
        const std::string first = std::string(state).substr(0, std::string(state).find(':'));
        return first + "/recordings";
    }
    return "recordings";
}

// What CLI11's checks cannot see: options that go together, host names.
void check_server(const server_config& s) {
    if (s.tls_cert.empty() != s.tls_key.empty()) throw usage_error("--tls-cert and --tls-key go together");
    for (const auto& name : s.allowed_hosts)
        if (!valid_allowed_host(name))
            throw usage_error("--allowed-host: '" + sanitize_text(name) +
                              "' is not a host name (e.g. cam.example.org, *.home.arpa for the names below it, or * for any; no scheme or port)");
    if (s.require_tls && s.tls_cert.empty()) throw usage_error("--require-tls needs --tls-cert and --tls-key");
}

// --cluster-secret-file's content, without the line end an editor adds; never in a message.
std::string read_cluster_secret(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::string secret((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) secret.pop_back();
    if (!file.good() && !file.eof()) secret.clear();
    if (!file.is_open() || secret.size() < 16 || secret.size() > 4096)
        throw usage_error("--cluster-secret-file: '" + sanitize_text(path) + "' " +
                          (!file.is_open() ? std::string("cannot be read")
                                           : "must hold 16 to 4096 bytes (e.g. openssl rand -hex 32 > FILE)"));
    return secret;
}

// The cluster's options checked, the secret read, the node named (by default after the host).
void complete_cluster(app_options& o) {
    for (const auto& url : o.nats_urls)
        if (url.rfind("nats://", 0) != 0 && url.rfind("tls://", 0) != 0)
            throw usage_error("--nats: '" + redact_command_line(url) + "' is not a nats:// or tls:// URL");
    if (!o.cluster_secret_file.empty()) o.cluster_secret = read_cluster_secret(o.cluster_secret_file);
    if (!o.advertise_url.empty() && !cluster::valid_advertise_url(o.advertise_url))
        throw usage_error("--advertise-url: '" + sanitize_text(o.advertise_url) +
                          "' is not http(s)://HOST[:PORT] (no path: the recordings' paths are added to it)");
    if (!o.node.empty() && !cluster::valid_node_name(o.node))
        throw usage_error("--node: '" + sanitize_text(o.node) + "' is not a node name (1-64 of A-Z a-z 0-9 _ . -)");
    if (o.node.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        o.node = cluster::node_name_from_host(host);
    }
}

// After CLI11 has filled `o` and `raw`: converts, checks and names the streams, in the order
// the messages of several mistakes have always come in. Throws usage_error.
// --mqtt and its options, checked; the URL's password never in a message.
void complete_mqtt(app_options& o) {
    if (o.mqtt_url.empty()) return;
    std::string why;
    const auto url = events::parse_mqtt_url(o.mqtt_url, &why);
    if (!url) throw usage_error("--mqtt: " + why);
    auto valid_topic = [](const std::string& t) {
        return !t.empty() && t.size() <= 200 && t.find_first_of("+#") == std::string::npos && !t.starts_with('/') && !t.ends_with('/') &&
               t.find("//") == std::string::npos && t.find('\0') == std::string::npos;
    };
    if (!valid_topic(o.mqtt_topic)) throw usage_error("--mqtt-topic: give topic levels without + or #, e.g. wscam or home/cameras");
    if (!o.mqtt_discovery.empty() && !valid_topic(o.mqtt_discovery))
        throw usage_error("--mqtt-discovery-prefix: give topic levels without + or # (Home Assistant's default: homeassistant)");
    if (!o.mqtt_ca.empty() && !url->tls) throw usage_error("--mqtt-ca is for an mqtts:// broker");
    events::mqtt_settings s;
    s.url = *url;
    s.naming.base = o.mqtt_topic;
    s.naming.discovery = o.mqtt_discovery;
    s.naming.node = o.node;
    s.naming.version = o.version;
    s.ca_file = o.mqtt_ca;
    o.mqtt = std::move(s);
}

void complete(app_options& o, const raw_options& raw, const stream_requests& requests) {
    convert_raw(o, raw);
    check_server(o.server);
    o.server.stream_access = stream_tokens_from(requests.tables);
    o.streams = stream_specs_from(requests, o.defaults, o.server, recording_from(raw));
    o.record_dir = record_dir_or_default(o.record_dir);
    const auto dir_max = record::parse_bytes(raw.record_dir_max_bytes);
    if (!dir_max)
        throw usage_error("--record-dir-max-bytes: give bytes, or a number with K, M, G or T (200G), not '" +
                          sanitize_text(raw.record_dir_max_bytes) + "'");
    o.record_dir_max_bytes = *dir_max;
    const auto events_age = record::parse_age(raw.events_max_age);
    if (!events_age) throw usage_error("--events-max-age: give seconds, or a number with s, m, h or d (30d), not '" + sanitize_text(raw.events_max_age) + "'");
    const auto events_bytes = record::parse_bytes(raw.events_max_bytes);
    if (!events_bytes) throw usage_error("--events-max-bytes: give bytes, or a number with K, M, G or T (1G), not '" + sanitize_text(raw.events_max_bytes) + "'");
    o.events_keep = {*events_age == 0 ? INT64_MAX / 2 : *events_age, *events_bytes};
    o.version = WSCAM_VERSION;
    complete_cluster(o);
    complete_mqtt(o);  // after the node is named: it names the device
    if (!o.event_exec.empty()) {
        std::string why;
        auto argv = split_command_words(o.event_exec, &why);
        if (!argv || argv->empty()) throw usage_error("--event-exec: " + (why.empty() ? std::string("no program") : why));
        o.event_exec_argv = std::move(*argv);
    }
    if (!o.streams.empty()) o.server.default_stream = o.streams.front().name;
}

}  // namespace

bool parse_options(int argc, char** argv, app_options& o, int& exit_code, std::string* errors) {
    // Messages go to stderr at start; a reload collects them for its log line.
    auto say = [errors](const std::string& text) {
        if (errors)
            *errors += (errors->empty() ? "" : "; ") + text;
        else
            std::fprintf(stderr, "%s\n", text.c_str());
    };
    raw_options raw;
    option_table table(o, raw);
    const std::vector<std::string> args(argv + 1, argv + argc);
    config_document file;
    try {
        // A config file's settings go first, as if typed before the command line's, which then wins.
        if (const auto path = config_path_in(args); !path.empty()) file = read_config_file(path);
        std::vector<std::string> all = config_arguments(file, table.cli());
        all.insert(all.end(), args.begin(), args.end());
        std::reverse(all.begin(), all.end());  // CLI11 takes them last first
        table.cli().parse(std::move(all));
        o.rtsp_port_given = table.cli().get_option("--rtsp-port")->count() > 0;
        complete(o, raw, {raw.source, table.source_given(), !o.nats_urls.empty(), file.streams, raw.streams});
        for (const auto& hook : file.webhooks) {
            std::string why;
            const auto url = parse_network_url(hook.url, &why);
            // The parser's reason quotes the URL: its password must not reach the message (or, on a
            // reload, the log).
            if (!url || (url->scheme != "http" && url->scheme != "https"))
                throw usage_error(hook.where + ": webhook url: " +
                                  (url ? std::string("give an http:// or https:// URL") : redact_command_line(why)));
            if (!url->fragment.empty()) throw usage_error(hook.where + ": webhook url: no #fragment (it is never sent)");
        }
        o.webhooks = file.webhooks;
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every usage error exits 2, as command-line tools do.
        std::ostringstream out, err;
        const int rc = errors ? table.cli().exit(e, out, err) : table.cli().exit(e);
        if (errors) say(err.str().substr(0, err.str().find('\n')));
        exit_code = rc == 0 ? 0 : 2;
        if (rc != 0)
            for (const auto& note : settings_named_in(e.what(), file)) say(note);  // a bad value from the file: where
        return false;
    } catch (const usage_error& e) {
        say(e.what());
        exit_code = 2;
        return false;
    }
    exit_code = 0;
    return true;
}

std::vector<std::string> restart_only_changes(const app_options& running, const app_options& next) {
    app_options unused;
    raw_options unused_raw;
    return option_table(unused, unused_raw).restart_only_changes(running, next);
}

}  // namespace wscam
