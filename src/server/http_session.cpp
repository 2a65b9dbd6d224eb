#include "server/http_session.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/backoff.hpp"
#include "server/api_render.hpp"
#include "server/host_policy.hpp"
#include "server/mjpeg_rate.hpp"
#include "server/mjpeg_session.hpp"
#include "server/origin_policy.hpp"
#include "server/publisher_session.hpp"
#include "server/tls/certificate_store.hpp"
#include "server/tls_redirect.hpp"
#include "server/viewer_session.hpp"
#include "server/web_assets.hpp"

namespace wscam {
namespace {

// Routes that serve camera data or reach controls: what a DNS-rebinding page is after.
bool serves_camera(route_kind k) {
    return k == route_kind::viewer_ws || k == route_kind::publish_ws || k == route_kind::snapshot ||
           k == route_kind::mjpeg || k == route_kind::api_streams || k == route_kind::metrics;
}

constexpr std::size_t max_header_bytes = 8 * 1024;
constexpr std::size_t max_body_bytes = 64 * 1024;
constexpr auto close_timeout = std::chrono::seconds(2);
constexpr std::string_view server_name = "wscam";

template <class Body>
void finish(http::response<Body>& res, const http::request<http::string_body>& req, std::string_view type) {
    res.set(http::field::server, server_name);
    res.set(http::field::content_type, type);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
}

http::response<http::string_body> text_response(const http::request<http::string_body>& req, http::status status,
                                                std::string body, std::string_view type = "text/plain; charset=utf-8") {
    http::response<http::string_body> res{status, req.version()};
    res.body() = std::move(body);
    finish(res, req, type);
    return res;
}

// Browsers cannot set headers on a WebSocket, so a token may also come as ?token= or a cookie.
std::string request_token(const http::request<http::string_body>& req) {
    const std::string_view auth = req[http::field::authorization];
    if (auth.substr(0, 7) == "Bearer ") return std::string(auth.substr(7));
    if (auto q = query_param(req.target(), "token"); !q.empty()) return q;
    std::string_view cookies = req[http::field::cookie];
    while (!cookies.empty()) {
        const auto semi = cookies.find(';');
        std::string_view c = cookies.substr(0, semi);
        while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
        if (c.substr(0, 12) == "wscam_token=") return std::string(c.substr(12));
        if (semi == std::string_view::npos) break;
        cookies.remove_prefix(semi + 1);
    }
    return {};
}

std::string path_of(std::string_view target) { return std::string(target.substr(0, target.find('?'))); }

}  // namespace

http_session::http_session(tcp::socket socket, std::shared_ptr<shared_state> state, bool ws_only,
                           client_limits::ticket ticket)
    : plain_(std::move(socket)), executor_(plain_.get_executor()), state_(std::move(state)), ws_only_(ws_only),
      ticket_(std::move(ticket)),
      peer_(peer_string(plain_.socket())) {}

http_session::~http_session() {
    if (joined_) state_->leave(this);
}

void http_session::run() {
    // Start on the connection's strand (the socket's executor).
    net::dispatch(executor_, [self = shared_from_this()] {
        self->joined_ = self->state_->join(self);
        if (!self->joined_) {
            spdlog::info("connection refused peer={}: shutting down", self->peer_);
            beast::error_code ec;
            self->plain_.socket().shutdown(tcp::socket::shutdown_both, ec);
            return;
        }
        // One port, both kinds: the first bytes say whether the client speaks TLS. The
        // handshake and the first request's headers must come within --header-timeout.
        self->plain_.expires_after(self->state_->config().header_timeout);
        beast::async_detect_ssl(self->plain_, self->buffer_,
                                beast::bind_front_handler(&http_session::on_detect, self));
    });
}

void http_session::on_detect(beast::error_code ec, bool is_tls) {
    if (ec) {
        if (ec == beast::error::timeout)
            spdlog::info("http connection closed peer={}: nothing sent within {} s", peer_,
                         state_->config().header_timeout.count());
        return;
    }
    if (!is_tls) return do_read();
    auto* store = state_->tls();
    if (!store) {
        spdlog::info("tls refused peer={}: this port speaks plain http:// only (start wscam with --tls-cert and --tls-key)",
                     peer_);
        beast::error_code ignored;
        plain_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        return;
    }
    tls_context_ = store->current();
    tls_.emplace(std::move(plain_), *tls_context_);
    // The bytes the detector read are the start of the ClientHello: hand them to the handshake.
    tls_->async_handshake(ssl::stream_base::server, buffer_.data(),
                          beast::bind_front_handler(&http_session::on_handshake, shared_from_this()));
}

void http_session::on_handshake(beast::error_code ec, std::size_t used) {
    if (ec) {
        // Scanners, old clients and browsers that do not trust the certificate end here.
        std::uint64_t suppressed = 0;
        static std::mutex log_mutex;
        static rate_limit log_limit{std::chrono::seconds(1)};
        std::lock_guard lock(log_mutex);
        if (log_limit.allow(rate_limit::clock::now(), suppressed))
            spdlog::info("tls handshake failed peer={}: {}{}", peer_,
                         ec == beast::error::timeout ? "timed out" : ec.message(),
                         suppressed ? fmt::format(" ({} more since)", suppressed) : std::string());
        return;
    }
    buffer_.consume(used);
    do_read();
}

void http_session::shutdown() {
    net::post(executor_, [self = shared_from_this()] {
        if (self->handed_over_) return;  // the WebSocket session closes itself
        beast::error_code ec;
        self->lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
        self->lowest().cancel();
    });
}

void http_session::do_read() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(max_body_bytes);
    // A keep-alive connection waits for its next request as long as a first one may take.
    lowest().expires_after(state_->config().header_timeout);
    with_stream([&](auto& stream) {
        http::async_read(stream, buffer_, *parser_,
                         beast::bind_front_handler(&http_session::on_read, shared_from_this()));
    });
}

void http_session::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) {
        if (ec == beast::error::timeout) {
            spdlog::info("http connection closed peer={}: no complete request within {} s", peer_,
                         state_->config().header_timeout.count());
            return;
        }
        if (!is_expected_disconnect(ec) && ec != ssl::error::stream_truncated) {
            spdlog::info("http bad request peer={}: {}", peer_, ec.message());
            // Tell the client why, then close: the connection's framing is lost.
            http::request<http::string_body> dummy;
            auto res = text_response(dummy, http::status::bad_request, "bad request: " + ec.message() + "\n");
            res.keep_alive(false);
            return send(http::message_generator(std::move(res)), false);
        }
        return;
    }
    request req = parser_->release();
    const bool is_upgrade = websocket::is_upgrade(req);
    const route r = match_route(req.target(), is_upgrade, ws_only_, state_->access()->default_stream);
    const std::string token = request_token(req);

    // Nothing a client sends may take the server down: a fault here answers 500 and closes.
    try {
        if (auto refusal = refuse_before_routing(req, r, token)) return send(std::move(*refusal), false);
        if (is_upgrade && upgrade(req, r, token)) return;
        if (!is_upgrade && r.kind == route_kind::mjpeg && start_mjpeg(req, r, token)) return;
        const bool keep_alive = req.keep_alive();
        auto res = respond(req, r, token);
        send(std::move(res), keep_alive);
    } catch (const std::exception& e) {
        spdlog::error("http request failed peer={}: {}", peer_, e.what());
        auto res = text_response(req, http::status::internal_server_error, "internal error\n");
        res.keep_alive(false);
        send(http::message_generator(std::move(res)), false);
    }
}

std::optional<http::message_generator> http_session::refuse_before_routing(const request& req, const route& r,
                                                                           const std::string& token) {
    const auto& c = state_->config();
    const bool is_upgrade = websocket::is_upgrade(req);
    auto refuse = [&](http::response<http::string_body> res, const std::string& why) {
        spdlog::warn("{} refused peer={} path={}: {}", is_upgrade ? "websocket" : "http", peer_, path_of(req.target()),
                     why);
        res.keep_alive(false);
        return std::optional<http::message_generator>(std::move(res));
    };
    if (c.require_tls && !tls_ && r.kind != route_kind::health) {
        if (is_upgrade || (req.method() != http::verb::get && req.method() != http::verb::head))
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
        spdlog::info("http {} {} 308 peer={} (to https)", std::string(req.method_string()), path_of(req.target()), peer_);
        return std::optional<http::message_generator>(std::move(res));
    }
    if (serves_camera(r.kind) && !token_guards(r)) {
        // DNS rebinding: a page whose name the attacker re-points at the camera is the camera's
        // origin to the browser; only the Host shows the name is not ours (server/host_policy).
        if (auto refusal = check_host(req[http::field::host], *state_->hosts()))
            return refuse(text_response(req, refusal->status == 400 ? http::status::bad_request
                                                                    : http::status::misdirected_request,
                                        refusal->reason + "\n"),
                          refusal->reason);
    }
    const bool checks_token = r.kind == route_kind::viewer_ws || r.kind == route_kind::publish_ws ||
                              r.kind == route_kind::snapshot || r.kind == route_kind::mjpeg || r.kind == route_kind::api_streams ||
                              r.kind == route_kind::metrics;
    if (checks_token && !token.empty()) {
        const auto left = state_->limits().blocked_for(ticket_.key(), client_limits::clock::now());
        if (left > client_limits::clock::duration::zero()) {
            const auto seconds = std::chrono::ceil<std::chrono::seconds>(left).count();
            auto res = text_response(req, http::status::too_many_requests,
                                     "too many wrong tokens from your address; try again in " +
                                         std::to_string(seconds) + " s\n");
            res.set(http::field::retry_after, std::to_string(seconds));
            res.keep_alive(false);
            spdlog::debug("http refused peer={} path={}: wrong-token block", peer_, path_of(req.target()));
            return std::optional<http::message_generator>(std::move(res));
        }
    }
    if (is_upgrade) {
        // Browsers let any page open a WebSocket anywhere: the server checks who asks.
        if (auto refusal = origin_refusal(req[http::field::origin], req[http::field::host], c.allowed_origins))
            return refuse(text_response(req, http::status::forbidden, *refusal + "\n"), *refusal);
    }
    return std::nullopt;
}

bool http_session::token_guards(const route& r) const {
    if (r.kind == route_kind::publish_ws) {
        const auto hub = state_->streams().find(r.stream);
        const auto gate = hub ? hub->gate() : nullptr;
        return gate && gate->requires_token();
    }
    return state_->access()->view_check_for(r.stream).required();
}

bool http_session::may_view(const std::string& token, const std::string& stream) const {
    const auto access = state_->access();
    const auto view = access->view_check_for(stream);
    if (!view.required()) return true;
    const auto control = access->control_check_for(stream);
    return view.matches(token) || (control.required() && control.matches(token));
}

void http_session::note_wrong_token(const std::string& token, bool accepted) {
    if (token.empty() || accepted) return;
    const auto& key = ticket_.key();
    if (state_->limits().wrong_token(key, client_limits::clock::now())) {
        const auto& l = state_->limits().limits();
        spdlog::warn("token guessing from {} (peer={}): {} wrong tokens within {} s; requests with a token from there "
                     "are refused for {} s",
                     key, peer_, l.max_wrong_tokens,
                     std::chrono::duration_cast<std::chrono::seconds>(l.wrong_token_window).count(),
                     std::chrono::duration_cast<std::chrono::seconds>(l.block).count());
    }
}

upgraded_connection http_session::hand_over() {
    handed_over_ = true;
    if (tls_) {
        beast::get_lowest_layer(*tls_).expires_never();
        return {std::variant<tcp::socket, tls_stream>(std::in_place_index<1>, std::move(*tls_)), std::move(tls_context_),
                std::move(ticket_), peer_};
    }
    return {std::variant<tcp::socket, tls_stream>(std::in_place_index<0>, plain_.release_socket()), nullptr,
            std::move(ticket_), peer_};
}

bool http_session::start_mjpeg(const request& req, const route& r, const std::string& token) {
    if (req.method() != http::verb::get && req.method() != http::verb::head) return false;
    auto hub = state_->streams().find(r.stream);
    const auto fps = parse_mjpeg_fps(query_param(req.target(), "fps"));
    if (!hub || !fps || !may_view(token, r.stream)) return false;  // respond() says why
    std::make_shared<mjpeg_session>(hand_over(), state_, std::move(hub), *fps)
        ->run(req.version(), req.method() == http::verb::head, path_of(req.target()));
    return true;
}

bool http_session::upgrade(request& req, const route& r, const std::string& token) {
    auto hub = state_->streams().find(r.stream);
    if (!hub) return false;
    if (r.kind == route_kind::viewer_ws) {
        if (!may_view(token, r.stream)) return false;  // respond() says why (and counts the wrong token)
        const auto access = state_->access();
        const auto view = access->view_check_for(r.stream);
        const auto control = access->control_check_for(r.stream);
        const bool can_control = control.matches(token);
        // A token that opens nothing here is a guess, even if watching needs none.
        const bool any_token = view.required() || control.required();
        note_wrong_token(token, !any_token || can_control || (view.required() && view.matches(token)));
        std::make_shared<viewer_session>(hand_over(), state_, std::move(hub), can_control)->run(std::move(req));
        return true;
    }
    auto gate = hub->gate();
    if (r.kind == route_kind::publish_ws && gate && gate->token_ok(token)) {
        std::make_shared<publisher_session>(hand_over(), state_, std::move(hub), std::move(gate))->run(std::move(req));
        return true;
    }
    return false;  // respond() says why
}

http::message_generator http_session::respond(const request& req, const route& r, const std::string& token) {
    const auto method = req.method();
    const bool head = method == http::verb::head;
    auto log = [&](http::status s) {
        // The path only: a query may carry a token, and tokens are never logged.
        const std::string_view target = req.target();
        const auto q = target.find('?');
        spdlog::info("http {} {}{} {} peer={}", std::string(req.method_string()), std::string(target.substr(0, q)),
                     q == std::string_view::npos ? "" : "?…", static_cast<int>(s), peer_);
    };
    auto reply = [&](http::response<http::string_body> res) -> http::message_generator {
        log(res.result());
        if (head) {
            const auto size = res.body().size();
            res.body().clear();
            res.content_length(size);
        }
        return res;
    };

    if (method != http::verb::get && !head) {
        auto res = text_response(req, http::status::method_not_allowed, "only GET and HEAD are supported\n");
        res.set(http::field::allow, "GET, HEAD");
        return reply(std::move(res));
    }
    if (ws_only_) {
        auto res = text_response(req, http::status::upgrade_required,
                                 "this port only speaks WebSocket: connect with ws://host:port/\n");
        res.set(http::field::upgrade, "websocket");
        return reply(std::move(res));
    }
    const bool needs_view = r.kind == route_kind::viewer_ws || r.kind == route_kind::snapshot || r.kind == route_kind::mjpeg ||
                            r.kind == route_kind::api_streams || r.kind == route_kind::metrics;
    if (needs_view && !may_view(token, r.stream)) {
        note_wrong_token(token, false);
        spdlog::warn("viewer refused peer={} path={}: invalid or missing view token", peer_,
                     std::string(req.target().substr(0, req.target().find('?'))));
        auto res = text_response(req, http::status::unauthorized, "invalid or missing view token\n");
        res.set(http::field::www_authenticate, "Bearer");
        return reply(std::move(res));
    }
    switch (r.kind) {
    case route_kind::page:
    case route_kind::asset: {
        const std::string name = r.path;
        const auto& root = state_->config().web_root;
        if (!root.empty()) {
            std::ifstream file(root + "/" + name, std::ios::binary);
            if (file) {
                std::ostringstream body;
                body << file.rdbuf();
                auto res = text_response(req, http::status::ok, body.str(), content_type_for(name));
                res.set(http::field::cache_control, "no-cache");
                return reply(std::move(res));
            }
        }
        if (const auto* asset = find_web_asset(name)) {
            auto res = text_response(req, http::status::ok, std::string(asset->body), content_type_for(name));
            res.set(http::field::cache_control, "no-cache");
            return reply(std::move(res));
        }
        return reply(text_response(req, http::status::not_found, "not found\n"));
    }
    case route_kind::health:
        return reply(text_response(req, http::status::ok, "ok\n"));
    case route_kind::api_streams: {
        // A source's description (a command line, a camera's address) only to the control token's holder.
        const auto access = state_->access();
        bool control_shown = false;
        const auto body = streams_json(state_->streams(), [&](const std::string& stream) {
            const auto control = access->control_check_for(stream);
            const bool shown = control.required() && control.matches(token);
            control_shown = control_shown || shown;
            return shown;
        });
        // A token that opens neither watching nor a command line is a guess (when there is a control token to guess).
        const bool any_control = !access->control_token.empty() ||
                                 std::any_of(access->streams.begin(), access->streams.end(),
                                             [](const auto& s) { return s.second.control && !s.second.control->empty(); });
        const auto view = access->view_check_for(r.stream);
        note_wrong_token(token, !any_control || control_shown || (view.required() && view.matches(token)));
        auto res = text_response(req, http::status::ok, body, "application/json");
        res.set(http::field::cache_control, "no-store");
        return reply(std::move(res));
    }
    case route_kind::metrics: {
        auto res = text_response(req, http::status::ok, metrics_text(state_->streams(), state_->stats()),
                                 "text/plain; version=0.0.4; charset=utf-8");
        res.set(http::field::cache_control, "no-store");
        return reply(std::move(res));
    }
    case route_kind::snapshot: {
        auto hub = state_->streams().find(r.stream);
        if (!hub) return reply(text_response(req, http::status::not_found, "no stream '" + r.stream + "'\n"));
        auto f = hub->latest();
        if (!f) {
            auto res = text_response(req, http::status::service_unavailable,
                                     "stream '" + r.stream + "' has no frame yet (it captures while someone watches)\n");
            res.set(http::field::retry_after, "1");
            return reply(std::move(res));
        }
        http::response<http::vector_body<std::uint8_t>> res{http::status::ok, req.version()};
        if (!head) res.body().assign(f->jpeg().begin(), f->jpeg().end());
        finish(res, req, "image/jpeg");
        if (head) res.content_length(f->jpeg().size());
        res.set(http::field::cache_control, "no-store");
        log(res.result());
        return res;
    }
    case route_kind::mjpeg: {
        if (!state_->streams().find(r.stream))
            return reply(text_response(req, http::status::not_found, "no stream '" + r.stream + "'\n"));
        return reply(text_response(req, http::status::bad_request,
                                   fmt::format("fps must be a number of frames per second from {} to {}, e.g. ?fps=2\n",
                                               min_mjpeg_fps, max_mjpeg_fps)));
    }
    case route_kind::publish_ws: {
        auto hub = state_->streams().find(r.stream);
        if (!hub) return reply(text_response(req, http::status::not_found, "no stream '" + r.stream + "'\n"));
        if (!hub->gate())
            return reply(text_response(req, http::status::forbidden,
                                       "stream '" + r.stream + "' does not take publishers (its source is not push:)\n"));
        note_wrong_token(token, false);
        spdlog::warn("publisher refused stream={} peer={}: invalid or missing publish token", r.stream, peer_);
        auto res = text_response(req, http::status::unauthorized, "invalid or missing publish token\n");
        res.set(http::field::www_authenticate, "Bearer");
        return reply(std::move(res));
    }
    case route_kind::viewer_ws:
        if (websocket::is_upgrade(req))  // upgrade() found no such stream
            return reply(text_response(req, http::status::not_found, "no stream '" + r.stream + "'\n"));
        return reply(text_response(req, http::status::upgrade_required, "this URL is a WebSocket endpoint\n"));
    case route_kind::not_found:
        break;
    }
    const bool upgrade_request = websocket::is_upgrade(req);
    return reply(text_response(req, http::status::not_found,
                               upgrade_request ? "no such stream or WebSocket endpoint\n" : "not found\n"));
}

void http_session::send(http::message_generator msg, bool keep_alive) {
    with_stream([&](auto& stream) {
        beast::async_write(stream, std::move(msg),
                           beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive));
    });
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive || state_->stopping()) return do_close();
    do_read();
}

void http_session::do_close() {
    if (tls_) {
        // close_notify, bounded: a peer that never answers it is not waited for.
        lowest().expires_after(close_timeout);
        tls_->async_shutdown([self = shared_from_this()](beast::error_code) {
            beast::error_code ignored;
            self->lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        });
        return;
    }
    // FIN, then read what the client still sends until it closes (bounded): closing with
    // unread bytes would reset the connection, and the client could lose our answer.
    beast::error_code ec;
    plain_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return;
    plain_.expires_after(close_timeout);
    drain();
}

void http_session::drain() {
    buffer_.clear();
    plain_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (!ec) self->drain();
    });
}

}  // namespace wscam
