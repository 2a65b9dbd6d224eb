// libFuzzer target for the parsers that read untrusted text: source URIs, viewer messages,
// request targets, frame sizes, wscam.v1 frame headers, upgrade origins, exec: command
// lines, an MJPEG reader's ?fps=, Host headers (the DNS-rebinding check), the
// --require-tls redirect, Range headers, the recordings API's times and segment names, --mqtt's URL
// and --motion-cooldown. The first byte's low four bits pick the parser; its higher bits are
// flags.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/viewer_message.hpp"
#include "core/command_words.hpp"
#include "core/redaction.hpp"
#include "core/frame.hpp"
#include "core/frame_size.hpp"
#include "core/source_uri.hpp"
#include "events/mqtt/mqtt_url.hpp"
#include "motion/motion_settings.hpp"
#include "record/recording_index.hpp"
#include "record/recording_options.hpp"
#include "record/time_text.hpp"
#include "record/timelapse.hpp"
#include "server/api_render.hpp"
#include "server/byte_range.hpp"
#include "server/host_policy.hpp"
#include "server/mjpeg_rate.hpp"
#include "server/origin_policy.hpp"
#include "server/router.hpp"
#include "server/tls_redirect.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    switch (data[0] & 15) {
    case 0:
        if (auto uri = wscam::source_uri::parse(text)) (void)uri->redacted();
        break;
    case 1:
        (void)wscam::parse_client_message(text);
        break;
    case 2:
        (void)wscam::match_route(text, (data[0] & 16) != 0, (data[0] & 32) != 0, "default");
        (void)wscam::query_param(text, "token");
        break;
    case 3:
        (void)wscam::parse_frame_size(text);
        break;
    case 4: {
        wscam::frame_header h;
        (void)wscam::parse_frame_header({data + 1, size - 1}, h);
        break;
    }
    case 5: {  // an upgrade's Origin and Host headers, split at the first newline; /api/origin's answer to them
        const auto nl = text.find('\n');
        const auto origin = text.substr(0, nl);
        const auto refusal = wscam::origin_refusal(origin, nl == std::string_view::npos ? "" : text.substr(nl + 1), {});
        const auto answer = nlohmann::json::parse(wscam::origin_check_json(origin, refusal), nullptr, false);
        if (answer.is_discarded() || answer["allowed"] != !refusal) __builtin_trap();  // valid JSON that says what the check said
        break;
    }
    case 6:  // an exec: command line, split into argv
        if (auto words = wscam::split_command_words(text)) {
            if (words->empty() || words->front().empty()) __builtin_trap();
            for (const auto& w : *words)
                if (w.find('\0') != std::string::npos) __builtin_trap();
        }
        break;
    case 7:  // and shown without its secrets, and without the command in /api/streams
        (void)wscam::redact_command_line(text);
        (void)wscam::source_without_command_line(text);
        break;
    case 8:  // an MJPEG reader's ?fps=: a rate taken gives an interval between 0 and 100 s
        if (auto fps = wscam::parse_mjpeg_fps(text)) {
            const auto us = wscam::mjpeg_min_interval_us(*fps);
            if (us < 0 || us > 100'000'000 || (*fps > 0 && us == 0)) __builtin_trap();
        }
        break;
    case 9: {  // a Host header: what is accepted goes into URLs and messages as it is
        static const wscam::host_allow_list allowed({"cam.example", "*.home.arpa"});
        (void)wscam::check_host(text, allowed);
        if (auto h = wscam::parse_host_header(text)) {
            if (h->host.empty() || h->text().find_first_of("@/\\?# \r\n") != std::string::npos) __builtin_trap();
            (void)allowed.allows(*h);
        }
        break;
    }
    case 10: {  // a plain request's Host and target (split at the first newline) under --require-tls
        const auto nl = text.find('\n');
        if (nl == std::string_view::npos) break;
        if (auto location = wscam::https_location(text.substr(0, nl), text.substr(nl + 1))) {
            // Always this host, then exactly one slash: never another host's URL.
            const auto path = location->find('/', 8);
            if (location->rfind("https://", 0) != 0 || path == std::string::npos || location->compare(path, 2, "//") == 0 ||
                location->substr(8, path - 8).find('@') != std::string::npos)
                __builtin_trap();
        }
        break;
    }
    case 11: {  // a Range header on a segment of (the flags') size: a part lies inside it
        const std::uint64_t file = (data[0] >> 4) * 1000u;
        const auto r = wscam::parse_byte_range(text, file);
        if (r.what == wscam::byte_range::kind::part && (r.length == 0 || r.first >= file || r.length > file - r.first))
            __builtin_trap();
        break;
    }
    case 12:  // the recordings API's times (?from=, ?to=) and segment names (in a URL path)
        if (auto t = wscam::record::parse_time(text)) (void)wscam::record::iso_time(*t);
        if (wscam::record::segment_start(text) &&
            (text.find('/') != std::string_view::npos || text.find("..") != std::string_view::npos))
            __builtin_trap();
        // Timelapse file names (a URL path) and periods (an option): a name is never a path.
        if (wscam::record::timelapse_name(text) &&
            (text.find('/') != std::string_view::npos || text.find("..") != std::string_view::npos))
            __builtin_trap();
        if (const auto p = wscam::record::parse_timelapse(text); p && (*p < 0 || *p > 86'400)) __builtin_trap();
        (void)wscam::query_value(text, "to");
        break;
    case 13: {  // --mqtt's URL (its password never in what logs show), topic levels, --motion-cooldown
        std::string why;
        if (const auto u = wscam::events::parse_mqtt_url(text, &why)) {
            if (u->host.empty() || u->port == 0) __builtin_trap();
            if (!u->password.empty() && u->password != "***" && u->shown().find(":" + u->password + "@") != std::string::npos)
                __builtin_trap();
        }
        const auto level = wscam::events::topic_level(text);
        if (level.find_first_of("/+#") != std::string::npos || level.empty()) __builtin_trap();
        if (const auto c = wscam::motion::parse_cooldown(text); c && (c->count() < 500 || c->count() > 3'600'000)) __builtin_trap();
        break;
    }
    }
    return 0;
}
