#include "server/router.hpp"

#include <algorithm>
#include <cctype>

#include "core/stream.hpp"
#include "core/source_uri.hpp"
#include "record/recording_index.hpp"
#include "record/timelapse.hpp"

namespace wscam {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

route stream_route(route_kind kind, std::string_view name) {
    if (!stream_registry::valid_name(std::string(name))) return {};
    return {kind, std::string(name), {}};
}

}  // namespace

route match_route(std::string_view target, bool upgrade, bool ws_only, const std::string& default_stream) {
    const std::string_view path = target_path(target);
    if (path.empty() || path[0] != '/') return {};

    if (upgrade) {
        if (!ws_only && starts_with(path, "/publish/")) return stream_route(route_kind::publish_ws, path.substr(9));
        if (ws_only || path == "/" || path == "/ws" || path == "/ws/") {
            if (ws_only && starts_with(path, "/ws/") && path.size() > 4) return stream_route(route_kind::viewer_ws, path.substr(4));
            std::string stream = query_param(target, "stream");
            if (stream.empty()) stream = default_stream;
            return stream_route(route_kind::viewer_ws, stream);
        }
        if (starts_with(path, "/ws/")) return stream_route(route_kind::viewer_ws, path.substr(4));
        return {};
    }
    if (ws_only) return {};

    if (path == "/" || path == "/index.html") return {route_kind::page, query_param(target, "stream"), "index.html"};
    if (starts_with(path, "/view/")) {
        route r = stream_route(route_kind::page, path.substr(6));
        r.path = "index.html";
        return r;
    }
    if (starts_with(path, "/embed/")) {
        route r = stream_route(route_kind::page, path.substr(7));
        r.path = "embed.html";
        return r;
    }
    if (path == "/healthz") return {route_kind::health, {}, {}};
    if (path == "/api/origin") return {route_kind::origin_check, {}, {}};
    if (path == "/api/streams") return {route_kind::api_streams, {}, {}};
    if (path == "/metrics") return {route_kind::metrics, {}, {}};
    if (starts_with(path, "/snapshot/") && ends_with(path, ".jpg"))
        return stream_route(route_kind::snapshot, path.substr(10, path.size() - 10 - 4));
    if (starts_with(path, "/stream/") && ends_with(path, ".mjpg"))
        return stream_route(route_kind::mjpeg, path.substr(8, path.size() - 8 - 5));
    if (starts_with(path, "/api/recordings/")) {
        const auto rest = path.substr(16);
        for (const std::string_view action : {"start", "stop"})
            if (ends_with(rest, std::string("/clip/") + std::string(action))) {
                route r = stream_route(route_kind::recording_clip, rest.substr(0, rest.size() - 6 - action.size()));
                if (r.kind == route_kind::recording_clip) r.path = std::string(action);
                return r;
            }
        return stream_route(route_kind::recordings, rest);
    }
    if (starts_with(path, "/api/events/")) {
        const auto rest = path.substr(12);
        const auto slash = rest.find('/');
        if (slash == std::string_view::npos) return stream_route(route_kind::events, rest);
        auto id = rest.substr(slash + 1);
        if (!ends_with(id, ".jpg")) return {};
        id.remove_suffix(4);
        if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string_view::npos) return {};
        route r = stream_route(route_kind::event_snapshot, rest.substr(0, slash));
        if (r.kind == route_kind::event_snapshot) r.path = std::string(id);
        return r;
    }
    if (starts_with(path, "/recordings/")) {
        // Only a segment name the recorder makes: nothing else of the folder is reachable.
        const auto rest = path.substr(12);
        const auto slash = rest.find('/');
        if (slash == std::string_view::npos) return {};
        const auto file = rest.substr(slash + 1);
        if (file == "export.mp4") return stream_route(route_kind::recording_export, rest.substr(0, slash));
        if (file == "snapshot.jpg") return stream_route(route_kind::recording_snapshot, rest.substr(0, slash));
        if (file == "frames") return stream_route(route_kind::recording_frames, rest.substr(0, slash));
        if (file.starts_with("timelapse/")) {
            if (!record::timelapse_name(file.substr(10))) return {};
            route r = stream_route(route_kind::recording_timelapse, rest.substr(0, slash));
            if (r.kind == route_kind::recording_timelapse) r.path = std::string(file.substr(10));
            return r;
        }
        if (!record::segment_start(file)) return {};
        route r = stream_route(route_kind::recording, rest.substr(0, slash));
        if (r.kind == route_kind::recording) r.path = std::string(file);
        return r;
    }
    // Viewer files: one level, plain names only (no traversal, no hidden files).
    const std::string_view name = path.substr(1);
    if (!name.empty() && name.find('/') == std::string_view::npos && name.find("..") == std::string_view::npos &&
        name[0] != '.')
        return {route_kind::asset, {}, std::string(name)};
    return {};
}

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

std::optional<std::string> query_value(std::string_view target, std::string_view key) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return std::string{};
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) != key) continue;
        if (eq == std::string_view::npos) return std::string{};
        return percent_decode(pair.substr(eq + 1));
    }
    return std::string{};
}

std::string without_token(std::string_view target) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) return std::string(target);
    std::string out(target.substr(0, q));
    std::string_view query = target.substr(q + 1);
    char sep = '?';
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        // Any spelling of the key a client may have meant: TOKEN, Token, %74oken.
        auto key = percent_decode(pair.substr(0, pair.find('='))).value_or(std::string(pair.substr(0, pair.find('='))));
        std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (key == "token" || key.starts_with("token=") || pair.empty()) continue;
        out += sep;
        out += pair;
        sep = '&';
    }
    return out;
}

std::string query_param(std::string_view target, std::string_view key) {
    return query_value(target, key).value_or(std::string{});
}

}  // namespace wscam
