#include "server/http_session.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <cerrno>
#include <mutex>
#include <utility>

#include "core/rate_limit.hpp"
#include "server/http_reply.hpp"
#include "server/request_log.hpp"
#include "server/write_pump.hpp"
#include "server/tls/certificate_store.hpp"

namespace wscam {
namespace {

constexpr std::size_t max_header_bytes = 8 * 1024;
constexpr std::size_t max_body_bytes = 64 * 1024;
constexpr auto close_timeout = std::chrono::seconds(2);
constexpr std::size_t download_lowat = 128 * 1024;  // unsent bytes the kernel holds for an HTTP answer

}  // namespace

http_session::http_session(tcp::socket socket, std::shared_ptr<shared_state> state, bool ws_only,
                           client_limits::ticket ticket)
    : plain_(std::move(socket)), executor_(plain_.get_executor()), state_(std::move(state)), ticket_(std::move(ticket)),
      peer_(peer_string(plain_.socket())), routes_(state_, peer_, ticket_.key(), ws_only) {}

http_session::~http_session() {
    give_slow_slot();
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
            log_request(spdlog::level::info, "http connection closed peer={}: nothing sent within {} s", peer_,
                         state_->config().header_timeout.count());
        return;
    }
    // A download's writes complete as a slow reader drains a little, not a whole 4 MiB send
    // buffer (the kernel wakes a writer when a third of it is free: a reader at 40 KB/s was cut
    // off by --write-timeout while reading steadily).
    limit_unsent(plain_.socket(), download_lowat);
    if (!is_tls) return do_read();
    auto* store = state_->tls();
    if (!store) {
        log_request(spdlog::level::info,
                    "tls refused peer={}: this port speaks plain http:// only (start wscam with --tls-cert and --tls-key)",
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
            log_request(spdlog::level::info, "http connection closed peer={}: no complete request within {} s", peer_,
                         state_->config().header_timeout.count());
            return;
        }
        if (!is_expected_disconnect(ec) && ec != ssl::error::stream_truncated) {
            log_request(spdlog::level::info, "http bad request peer={}: {}", peer_, ec.message());
            // Tell the client why, then close: the connection's framing is lost.
            http::request<http::string_body> dummy;
            auto res = text_response(dummy, http::status::bad_request, "bad request: " + ec.message() + "\n");
            res.keep_alive(false);
            return send(http::message_generator(std::move(res)));
        }
        return;
    }
    answer(parser_->release());
}

void http_session::answer(request req) {
    // Nothing a client sends may take the server down: a fault here answers 500 and closes.
    try {
        auto msg = routes_.answer(req, tls_.has_value(), [this] { return hand_over(); },
                                  [this](http_routes::slow_answer work, bool urgent) { return answer_later(std::move(work), urgent); });
        if (msg) send(std::move(*msg));
    } catch (const std::exception& e) {
        spdlog::error("http request failed peer={}: {}", peer_, e.what());
        send(internal_error());
    }
}

http::message_generator http_session::internal_error() {
    http::request<http::string_body> dummy;
    auto res = text_response(dummy, http::status::internal_server_error, "internal error\n");
    res.keep_alive(false);
    return res;
}

void http_session::give_slow_slot() {
    if (std::exchange(slow_slot_, false)) state_->give_slow_slot(ticket_.key());
}

bool http_session::answer_later(http_routes::slow_answer work, bool urgent) {
    // The slot is held until the answer is written, not only made: an answer in memory (up to
    // 8 MiB of pictures) that its client does not read still counts (a review's unread answers
    // held 1.6 GB).
    if (!urgent) {
        if (!state_->take_slow_slot(ticket_.key())) return false;
        slow_slot_ = true;
    }
    // The job owns this session until it hands its answer back to the connection's thread: the
    // ownership moves into that handler, so a pool thread never lets go of the session last.
    const bool queued = state_->blocking().try_run(
        [self = shared_from_this(), work = std::move(work), fd = lowest().socket().native_handle()]() mutable {
            std::shared_ptr<http::message_generator> msg;
            // A client that hung up while its answer waited (FIN: a peek reads 0 bytes; a reset:
            // an error other than "nothing to read yet") is not worked for: a review's clients
            // asked and hung up to keep both threads busy.
            char byte;
            const auto peeked = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            if (peeked > 0 || (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
                try {
                    msg = std::make_shared<http::message_generator>(work());
                } catch (const std::exception& e) {
                    log_request(spdlog::level::err, "http request failed peer={}: {}", self->peer_, e.what());
                    msg = std::make_shared<http::message_generator>(internal_error());
                }
            }
            auto executor = self->executor_;
            net::post(executor, [self = std::move(self), msg] {
                if (msg)
                    self->send(std::move(*msg));
                else
                    self->do_close();
            });
        },
        urgent);
    if (!queued) give_slow_slot();
    return queued;
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

void http_session::send(http::message_generator msg) {
    outgoing_.emplace(std::move(msg));
    write_next();
}

void http_session::write_next() {
    beast::error_code ec;
    const auto buffers = outgoing_->prepare(ec);
    if (ec) {
        spdlog::info("http answer failed peer={}: {}", peer_, ec.message());  // a file that could not be read
        outgoing_.reset();
        return do_close();
    }
    // Each write must make progress within --write-timeout, not the whole answer: a large
    // download over a slow link goes on, a client that stops reading is cut off.
    const auto timeout = state_->config().write_timeout;
    if (timeout.count() > 0)
        lowest().expires_after(timeout);
    else
        lowest().expires_never();
    with_stream([&](auto& stream) {
        stream.async_write_some(buffers, beast::bind_front_handler(&http_session::on_write, shared_from_this()));
    });
}

void http_session::on_write(beast::error_code ec, std::size_t bytes) {
    if (ec) {
        if (ec == beast::error::timeout)
            log_request(spdlog::level::info, "http connection closed peer={}: the client read nothing for {} s", peer_,
                         state_->config().write_timeout.count());
        outgoing_.reset();
        return;
    }
    outgoing_->consume(bytes);
    if (!outgoing_->is_done()) return write_next();
    const bool keep_alive = outgoing_->keep_alive();
    outgoing_.reset();
    give_slow_slot();
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
