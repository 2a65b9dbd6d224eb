#include "server/http_session.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "server/api_render.hpp"
#include "server/origin_policy.hpp"
#include "server/publisher_session.hpp"
#include "server/viewer_session.hpp"
#include "server/web_assets.hpp"

namespace wscam {
namespace {

constexpr std::size_t max_header_bytes = 8 * 1024;
constexpr std::size_t max_body_bytes = 64 * 1024;
constexpr auto request_timeout = std::chrono::seconds(30);
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

}  // namespace

http_session::http_session(tcp::socket socket, std::shared_ptr<shared_state> state, bool ws_only)
    : stream_(std::move(socket)), state_(std::move(state)), ws_only_(ws_only), peer_(peer_string(stream_.socket())) {}

http_session::~http_session() {
    if (joined_) state_->leave(this);
}

void http_session::run() {
    // Start on the connection's strand (the socket's executor).
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        self->joined_ = self->state_->join(self);
        if (!self->joined_) {
            spdlog::warn("connection refused peer={}: {}", self->peer_,
                         self->state_->stopping() ? "shutting down" : "connection limit reached");
            beast::error_code ec;
            self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
            return;
        }
        self->do_read();
    });
}

void http_session::shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.cancel();
    });
}

void http_session::do_read() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(max_body_bytes);
    stream_.expires_after(request_timeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&http_session::on_read, shared_from_this()));
}

void http_session::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) {
        if (!is_expected_disconnect(ec)) {
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
    const route r = match_route(req.target(), is_upgrade, ws_only_, state_->config().default_stream);

    // Nothing a client sends may take the server down: a fault here answers 500 and closes.
    try {
        if (is_upgrade) {
            // Browsers let any page open a WebSocket anywhere: the server checks who asks.
            if (auto refusal = origin_refusal(req[http::field::origin], req[http::field::host], state_->config().allowed_origins)) {
                spdlog::warn("websocket refused peer={} path={}: {}", peer_,
                             std::string(req.target().substr(0, req.target().find('?'))), *refusal);
                auto res = text_response(req, http::status::forbidden, *refusal + "\n");
                res.keep_alive(false);
                return send(http::message_generator(std::move(res)), false);
            }
            if (upgrade(req, r)) return;
        }
        const bool keep_alive = req.keep_alive();
        auto res = respond(req, r);
        send(std::move(res), keep_alive);
    } catch (const std::exception& e) {
        spdlog::error("http request failed peer={}: {}", peer_, e.what());
        auto res = text_response(req, http::status::internal_server_error, "internal error\n");
        res.keep_alive(false);
        send(http::message_generator(std::move(res)), false);
    }
}

bool http_session::may_view(const request& req) const {
    const auto& c = state_->config();
    if (c.view_token.empty()) return true;
    const auto token = request_token(req);
    return token_matches(c.view_token, token) || (!c.control_token.empty() && token_matches(c.control_token, token));
}

bool http_session::upgrade(request& req, const route& r) {
    auto hub = state_->streams().find(r.stream);
    if (!hub) return false;
    if (r.kind == route_kind::viewer_ws) {
        if (!may_view(req)) return false;
        const bool can_control = token_matches(state_->config().control_token, request_token(req));
        stream_.expires_never();
        std::make_shared<viewer_session>(stream_.release_socket(), state_, std::move(hub), peer_, can_control)
            ->run(std::move(req));
        return true;
    }
    if (r.kind == route_kind::publish_ws && hub->gate() && hub->gate()->token_ok(request_token(req))) {
        stream_.expires_never();
        std::make_shared<publisher_session>(stream_.release_socket(), state_, std::move(hub), peer_)->run(std::move(req));
        return true;
    }
    return false;  // respond() says why
}

http::message_generator http_session::respond(const request& req, const route& r) {
    const auto method = req.method();
    if (method != http::verb::get && method != http::verb::head) {
        auto res = text_response(req, http::status::method_not_allowed, "only GET and HEAD are supported\n");
        res.set(http::field::allow, "GET, HEAD");
        return res;
    }
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

    if (ws_only_) {
        auto res = text_response(req, http::status::upgrade_required,
                                 "this port only speaks WebSocket: connect with ws://host:port/\n");
        res.set(http::field::upgrade, "websocket");
        return reply(std::move(res));
    }
    const bool needs_view = r.kind == route_kind::viewer_ws || r.kind == route_kind::snapshot ||
                            r.kind == route_kind::api_streams || r.kind == route_kind::metrics;
    if (needs_view && !may_view(req)) {
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
        auto res = text_response(req, http::status::ok, streams_json(state_->streams()), "application/json");
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
    case route_kind::publish_ws: {
        auto hub = state_->streams().find(r.stream);
        if (!hub) return reply(text_response(req, http::status::not_found, "no stream '" + r.stream + "'\n"));
        if (!hub->gate())
            return reply(text_response(req, http::status::forbidden,
                                       "stream '" + r.stream + "' does not take publishers (its source is not push:)\n"));
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
    beast::async_write(stream_, std::move(msg),
                       beast::bind_front_handler(&http_session::on_write, shared_from_this(), keep_alive));
}

void http_session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return;
    if (!keep_alive || state_->stopping()) return do_close();
    do_read();
}

void http_session::do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace wscam
