#include "server/http_routes.hpp"

#include <spdlog/spdlog.h>

#include "core/text.hpp"
#include "server/api_render.hpp"
#include "server/host_policy.hpp"
#include "server/http_reply.hpp"
#include "server/mjpeg_rate.hpp"
#include "server/mjpeg_session.hpp"
#include "server/origin_policy.hpp"
#include "server/publisher_session.hpp"
#include "server/event_routes.hpp"
#include "server/recording_routes.hpp"
#include "server/request_log.hpp"
#include "server/static_files.hpp"
#include "server/tls_redirect.hpp"
#include "server/viewer_session.hpp"
#include "server/web_assets.hpp"

namespace wscam {
namespace {

bool get_or_head(const http::request<http::string_body>& req) {
    return req.method() == http::verb::get || req.method() == http::verb::head;
}

http::response<http::string_body> unauthorized(const http::request<http::string_body>& req, std::string_view why) {
    auto res = text_response(req, http::status::unauthorized, std::string(why) + "\n");
    res.set(http::field::www_authenticate, "Bearer");
    return res;
}

}  // namespace

http_routes::http_routes(std::shared_ptr<shared_state> state, std::string peer, std::string client_key, bool ws_only)
    : state_(std::move(state)), peer_(std::move(peer)), client_key_(std::move(client_key)), ws_only_(ws_only) {}

std::optional<http::message_generator> http_routes::answer(request& req, bool tls, const hand_over_fn& hand_over,
                                                           const later_fn& later) {
    const bool upgrade = websocket::is_upgrade(req);
    const auto access = state_->access();  // one reading of the tokens for the whole request (a reload may come)
    auto where = match_route(req.target(), upgrade, ws_only_, access->default_stream);
    // The one route a method changes: DELETE of a stream's recordings needs the control token.
    if (where.kind == route_kind::recordings && req.method() == http::verb::delete_)
        where.kind = route_kind::recordings_delete;
    asked a{req, std::move(where),
            request_token(req[http::field::authorization], req.target(), req[http::field::cookie]),
            upgrade, req.method() == http::verb::head, access, nullptr, nullptr, {}};
    a.hub = state_->streams().find(a.where.stream);
    if (a.hub) a.gate = a.hub->gate();
    if (auto refusal = refusal_before_routing(a, tls)) return refusal;
    return route_request(a, hand_over, later);
}

std::optional<http::message_generator> http_routes::refusal_before_routing(const asked& a, bool tls) {
    const auto& c = state_->config();
    const auto& req = a.req;
    auto refuse = [&](http::response<http::string_body> res, const std::string& why) {
        log_request(spdlog::level::warn, "{} refused peer={} path={}: {}", a.upgrade ? "websocket" : "http", peer_,
                    log_path(req.target()), why);
        res.keep_alive(false);
        return std::optional<http::message_generator>(std::move(res));
    };
    if (c.require_tls && !tls && a.where.kind != route_kind::health) {
        if (a.upgrade || !get_or_head(req))
            return refuse(text_response(req, http::status::forbidden,
                                        "this server takes connections over TLS only: use https:// or wss://\n"),
                          "plain connection and --require-tls");
        // The Location is built from the parsed Host and a path, never from the raw target.
        const auto location = https_location(req[http::field::host], req.target());
        if (!location)
            return refuse(text_response(req, http::status::bad_request,
                                        "this server takes connections over TLS only: use https:// or wss:// (this "
                                        "request's Host or path cannot be redirected)\n"),
                          "plain connection and --require-tls, and no Host and path to redirect to");
        auto res = text_response(req, http::status::permanent_redirect,
                                 "this server takes connections over TLS only: " + *location + "\n");
        res.set(http::field::location, *location);
        res.keep_alive(false);
        log_request(spdlog::level::info, "http {} {} 308 peer={} (to https)", sanitize_text(req.method_string(), 32),
                    log_path(req.target()), peer_);
        return std::optional<http::message_generator>(std::move(res));
    }
    const bool camera = guards_camera(a.where.kind);
    if (camera && !token_guards(a.where.kind, a.where.stream, *a.access, a.gate.get())) {
        // DNS rebinding: a page whose name the attacker re-points at the camera is the camera's
        // origin to the browser; only the Host shows the name is not ours (server/host_policy).
        if (auto refusal = check_host(req[http::field::host], *state_->hosts()))
            return refuse(text_response(req, refusal->status == 400 ? http::status::bad_request
                                                                    : http::status::misdirected_request,
                                        refusal->reason + "\n"),
                          refusal->reason);
    }
    if (camera && !a.token.empty()) {
        const auto left = state_->limits().blocked_for(client_key_, client_limits::clock::now());
        if (left > client_limits::clock::duration::zero()) {
            const auto seconds = std::chrono::ceil<std::chrono::seconds>(left).count();
            auto res = text_response(req, http::status::too_many_requests,
                                     "too many wrong tokens from your address; try again in " +
                                         std::to_string(seconds) + " s\n");
            res.set(http::field::retry_after, std::to_string(seconds));
            res.keep_alive(false);
            spdlog::debug("http refused peer={} path={}: wrong-token block", peer_, log_path(req.target()));
            return std::optional<http::message_generator>(std::move(res));
        }
    }
    if (a.upgrade || a.where.kind == route_kind::recordings_delete || a.where.kind == route_kind::recording_clip) {
        // Browsers let any page open a WebSocket anywhere, and send a DELETE or POST a page
        // makes with a stored credential (the token cookie): the server checks who asks.
        const char* what = a.upgrade ? "open this WebSocket"
                           : a.where.kind == route_kind::recording_clip ? "start or stop recording clips"
                                                                         : "delete recordings";
        if (auto refusal = origin_refusal(req[http::field::origin], req[http::field::host], c.allowed_origins, what))
            return refuse(text_response(req, http::status::forbidden, *refusal + "\n"), *refusal);
    }
    return std::nullopt;
}

std::optional<http::message_generator> http_routes::route_request(asked& a, const hand_over_fn& hand_over,
                                                                  const later_fn& later) {
    const auto& req = a.req;
    const bool clip = a.where.kind == route_kind::recording_clip;
    if (clip ? req.method() != http::verb::post : a.where.kind != route_kind::recordings_delete && !get_or_head(req)) {
        const bool deletes = a.where.kind == route_kind::recordings;  // DELETE /api/recordings/<stream>
        const char* allowed = clip ? "POST" : deletes ? "GET, HEAD, DELETE" : "GET, HEAD";
        const char* says = clip ? "only POST is supported here\n"
                           : deletes ? "only GET, HEAD and DELETE are supported here\n"
                                     : "only GET and HEAD are supported\n";
        auto res = text_response(req, http::status::method_not_allowed, says);
        res.set(http::field::allow, allowed);
        return reply(a, std::move(res));
    }
    a.verdict = decide_access(a.where.kind, a.where.stream, a.token, *a.access, a.gate.get());
    if (a.upgrade && websocket_hand_off(a, hand_over)) return std::nullopt;
    if (ws_only_) {
        auto res = text_response(req, http::status::upgrade_required,
                                 "this port only speaks WebSocket: connect with ws://host:port/\n");
        res.set(http::field::upgrade, "websocket");
        return reply(a, std::move(res));
    }
    const auto need = token_needed_for(a.where.kind);
    if ((need == token_need::view || need == token_need::control) && !a.verdict.allowed) {
        if (a.verdict.guess) note_guess(a.token);
        log_request(spdlog::level::warn, "{} refused peer={} path={}: {}",
                    need == token_need::control ? "control request" : "viewer", peer_, log_path(req.target()),
                    a.verdict.refusal);
        return reply(a, unauthorized(req, a.verdict.refusal));
    }
    switch (a.where.kind) {
    case route_kind::page:
    case route_kind::asset:
        return viewer_file(a);
    case route_kind::health:
        return health(a);
    case route_kind::origin_check:
        return origin_check(a);
    case route_kind::api_streams:
        return stream_list(a);
    case route_kind::metrics:
        return metrics(a);
    case route_kind::snapshot:
        return snapshot(a);
    case route_kind::mjpeg:
        return mjpeg(a, hand_over);
    case route_kind::recordings:
    case route_kind::recording:
    case route_kind::recording_export:
    case route_kind::recording_snapshot:
    case route_kind::recording_frames:
    case route_kind::recording_timelapse:
    case route_kind::recording_clip:
    case route_kind::recordings_delete:
        return recordings(a, later);
    case route_kind::events:
    case route_kind::event_snapshot:
        return motion_events(a, later);
    case route_kind::publish_ws:
        return publish_refused(a);
    case route_kind::viewer_ws:
        return websocket_endpoint(a);
    case route_kind::rtsp:  // never routed from HTTP
    case route_kind::not_found:
        break;
    }
    return not_found(a);
}

std::optional<http::message_generator> http_routes::recordings(const asked& a, const later_fn& later) {
    // Only a stream configured now: its tokens are known. A stream taken out of the config
    // leaves its recordings in the folder (until retention), served to nobody: with its own
    // view token gone, they would otherwise be open to anyone the server-wide rules let in.
    if (!a.hub)
        return reply(a, text_response(a.req, http::status::not_found,
                                      "no stream named '" + a.where.stream +
                                          "' is configured here: its recordings, if any, are not served\n"));
    // Recorded on another node now (another node's stream, or ours recorded there): point there,
    // unless the client asks for what this node holds itself (?here=1: what it recorded before).
    if (query_param(a.req.target(), "here") != "1")
        if (const auto home = state_->recordings_home(a.where.stream)) return recordings_elsewhere(a, home->first, home->second);
    const recording_request r{std::make_shared<const request>(a.req), a.head, a.where.stream, answer_logger(a)};
    const auto& recs = state_->recordings();
    switch (a.where.kind) {
    case route_kind::recordings:
        return recordings_list(r, recs, later);
    case route_kind::recording:
        return recording_file(r, recs, a.where.path);
    case route_kind::recording_export:
        return recording_export(r, recs, later);
    case route_kind::recording_snapshot:
        return recording_snapshot(r, recs, later);
    case route_kind::recording_frames:
        return recording_frames(r, recs, later);
    case route_kind::recording_timelapse:
        return timelapse_file(r, recs, a.where.path);
    case route_kind::recording_clip:
        return recording_clip(r, recs, a.where.path == "start");
    default:
        return recordings_delete(r, recs, later);
    }
}

std::optional<http::message_generator> http_routes::motion_events(const asked& a, const later_fn& later) {
    if (!a.hub)  // as for recordings: only a stream configured now has its tokens known
        return reply(a, text_response(a.req, http::status::not_found, "no stream named '" + a.where.stream + "' is configured here\n"));
    const recording_request r{std::make_shared<const request>(a.req), a.head, a.where.stream, answer_logger(a)};
    if (a.where.kind == route_kind::events) return events_list(r, state_->event_store(), later);
    return event_snapshot(r, state_->event_store(), a.where.path, later);
}

http::message_generator http_routes::recordings_elsewhere(const asked& a, const std::string& node, const std::string& url) {
    if (url.empty())
        return reply(a, text_response(a.req, http::status::not_found,
                                      "stream '" + a.where.stream + "' is recorded by node " + node +
                                          ", which announces no address (--advertise-url): ask it there\n"));
    // The same path and query on the owner, less any ?token=: the address came from the
    // cluster, and a token is not handed to a host on another's word (a party posing as the
    // owner could announce its own). The client sends its credentials there itself (curl
    // --location-trusted with its Authorization header, or ?token= again).
    auto res = text_response(a.req, http::status::temporary_redirect,
                             "stream '" + a.where.stream + "' is recorded by node " + node + ": " + url +
                                 " (send your token there again)\n");
    res.set(http::field::location, url + without_token(a.req.target()));
    res.set(http::field::cache_control, "no-store");
    return reply(a, std::move(res));
}

bool http_routes::websocket_hand_off(asked& a, const hand_over_fn& hand_over) {
    if (!a.hub || !a.verdict.allowed) return false;  // the route says why
    if (a.where.kind == route_kind::viewer_ws) {
        if (a.verdict.guess) note_guess(a.token);  // a token that opens nothing here, even if watching needs none
        std::make_shared<viewer_session>(hand_over(), state_, a.hub, a.verdict.control)->run(std::move(a.req));
        return true;
    }
    if (a.where.kind == route_kind::publish_ws) {
        std::make_shared<publisher_session>(hand_over(), state_, a.hub, a.gate)->run(std::move(a.req));
        return true;
    }
    return false;
}

std::optional<http::message_generator> http_routes::mjpeg(const asked& a, const hand_over_fn& hand_over) {
    const auto& req = a.req;
    if (!a.hub) return no_stream(a);
    const auto fps = parse_mjpeg_fps(query_param(req.target(), "fps"));
    if (!fps)
        return reply(a, text_response(req, http::status::bad_request,
                                      fmt::format("fps must be a number of frames per second from {} to {}, e.g. ?fps=2\n",
                                                  min_mjpeg_fps, max_mjpeg_fps)));
    std::make_shared<mjpeg_session>(hand_over(), state_, a.hub, *fps)
        ->run(req.version(), a.head, std::string(target_path(req.target())));
    return std::nullopt;
}

http::message_generator http_routes::viewer_file(const asked& a) {
    const auto body = static_file(state_->config().web_root, a.where.path);
    if (!body) return reply(a, text_response(a.req, http::status::not_found, "not found\n"));
    auto res = text_response(a.req, http::status::ok, *body, content_type_for(a.where.path));
    res.set(http::field::cache_control, "no-cache");
    // The viewer's modules are public code and hold no camera data: another site's page may import
    // them (<wscam-player> from /player.js; a module from elsewhere needs CORS). Pages are not shared.
    if (a.where.kind == route_kind::asset) res.set(http::field::access_control_allow_origin, "*");
    return reply(a, std::move(res));
}

http::message_generator http_routes::origin_check(const asked& a) {
    const auto& c = state_->config();
    auto refusal = origin_refusal(a.req[http::field::origin], a.req[http::field::host], c.allowed_origins);
    // Where watching needs no token, the sockets of a page at a name this server does not answer to
    // (DNS rebinding, or a name not yet allowed) are refused too, with 421: said here as well, or
    // the player would guess at a token. (The default stream's rule only: the answer must not tell
    // a rebinding page which other streams have tokens.)
    if (!refusal && !token_guards(route_kind::viewer_ws, c.default_stream, *a.access, nullptr))
        if (auto host = check_host(a.req[http::field::host], *state_->hosts())) refusal = host->reason;
    auto res = text_response(a.req, http::status::ok, origin_check_json(a.req[http::field::origin], refusal), "application/json");
    // Any page may ask: the answer is about the asking page's own origin, and nothing else.
    res.set(http::field::access_control_allow_origin, "*");
    res.set(http::field::cache_control, "no-store");
    return reply(a, std::move(res));
}

http::message_generator http_routes::health(const asked& a) {
    return reply(a, text_response(a.req, http::status::ok, "ok\n"));
}

http::message_generator http_routes::stream_list(const asked& a) {
    // A source's description (a command line, a camera's address) only to the control token's holder.
    bool shown = false;
    verifier_budget budget;
    // The RTSP URL on the name this server was asked by (parsed, so nothing but a host goes into it).
    const auto rtsp = state_->rtsp();
    const auto authority = parse_host_header(a.req[http::field::host]);
    const std::string host = authority ? authority->host : std::string{};
    const auto body = streams_json(state_->streams(), [&](const std::string& stream) {
        const bool s = shows_source(*a.access, stream, a.token, budget);
        shown = shown || s;
        return s;
    }, state_->recording_of(), state_->motion_of(), rtsp.get(), host);
    if (a.verdict.guess && !shown) note_guess(a.token);
    auto res = text_response(a.req, http::status::ok, body, "application/json");
    res.set(http::field::cache_control, "no-store");
    return reply(a, std::move(res));
}

http::message_generator http_routes::metrics(const asked& a) {
    auto res = text_response(a.req, http::status::ok, metrics_text(state_->streams(), state_->stats(), state_->recording_of(), state_->motion_of(), state_->rtsp().get()),
                             "text/plain; version=0.0.4; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    return reply(a, std::move(res));
}

http::message_generator http_routes::snapshot(const asked& a) {
    const auto& req = a.req;
    if (!a.hub) return no_stream(a);
    auto f = a.hub->latest();
    if (!f) {
        auto res = text_response(req, http::status::service_unavailable,
                                 "stream '" + a.where.stream + "' has no frame yet (it captures while someone watches)\n");
        res.set(http::field::retry_after, "1");
        return reply(a, std::move(res));
    }
    http::response<http::vector_body<std::uint8_t>> res{http::status::ok, req.version()};
    if (!a.head) res.body().assign(f->jpeg().begin(), f->jpeg().end());
    finish_response(res, req, "image/jpeg");
    if (a.head) res.content_length(f->jpeg().size());
    res.set(http::field::cache_control, "no-store");
    log_answer(a, res.result());
    return res;
}

http::message_generator http_routes::publish_refused(const asked& a) {
    const auto& req = a.req;
    if (!a.hub) return no_stream(a);
    if (!a.gate)
        return reply(a, text_response(req, http::status::forbidden,
                                      "stream '" + a.where.stream + "' does not take publishers (its source is not push:)\n"));
    if (a.verdict.guess) note_guess(a.token);
    spdlog::warn("publisher refused stream={} peer={}: {}", a.where.stream, peer_, a.verdict.refusal);
    return reply(a, unauthorized(req, a.verdict.refusal));
}

http::message_generator http_routes::websocket_endpoint(const asked& a) {
    if (a.upgrade)  // websocket_hand_off() found no such stream
        return no_stream(a);
    return reply(a, text_response(a.req, http::status::upgrade_required, "this URL is a WebSocket endpoint\n"));
}

http::message_generator http_routes::not_found(const asked& a) {
    return reply(a, text_response(a.req, http::status::not_found,
                                  a.upgrade ? "no such stream or WebSocket endpoint\n" : "not found\n"));
}

http::message_generator http_routes::no_stream(const asked& a) {
    return reply(a, text_response(a.req, http::status::not_found, "no stream '" + a.where.stream + "'\n"));
}

http::message_generator http_routes::reply(const asked& a, http::response<http::string_body> res) {
    log_answer(a, res.result());
    no_body_for_head(res, a.head);
    return res;
}

void http_routes::log_answer(const asked& a, http::status status) { answer_logger(a)(status); }

std::function<void(http::status)> http_routes::answer_logger(const asked& a) const {
    const std::string_view target = a.req.target();
    return [method = sanitize_text(a.req.method_string(), 32), path = log_path(target),
            query = target.find('?') != std::string_view::npos, peer = peer_](http::status status) {
        log_request(spdlog::level::info, "http {} {}{} {} peer={}", method, path, query ? "?…" : "",
                    static_cast<int>(status), peer);
    };
}

void http_routes::note_guess(const std::string& token) {
    if (token.empty()) return;  // no token, no guess (the verdict says so too)
    if (state_->limits().wrong_token(client_key_, client_limits::clock::now())) {
        const auto& l = state_->limits().limits();
        spdlog::warn("token guessing from {} (peer={}): {} wrong tokens within {} s; requests with a token from there "
                     "are refused for {} s",
                     client_key_, peer_, l.max_wrong_tokens,
                     std::chrono::duration_cast<std::chrono::seconds>(l.wrong_token_window).count(),
                     std::chrono::duration_cast<std::chrono::seconds>(l.block).count());
    }
}

}  // namespace wscam
