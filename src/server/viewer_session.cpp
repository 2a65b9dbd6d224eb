#include "server/viewer_session.hpp"

#include <spdlog/spdlog.h>

#include "protocol/viewer_message.hpp"
#include "server/router.hpp"
#include "server/viewer_group.hpp"
#include "transcode/h264_streams.hpp"

namespace wscam {
namespace {

bool offers_subprotocol(std::string_view header, std::string_view wanted) {
    while (!header.empty()) {
        const auto comma = header.find(',');
        std::string_view token = header.substr(0, comma);
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
        if (token == wanted) return true;
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

viewer_session::viewer_session(upgraded_connection c, std::shared_ptr<shared_state> state, std::shared_ptr<stream> hub,
                               bool can_control)
    : ws_(std::move(c.stream), std::move(c.tls_context)), ticket_(std::move(c.ticket)), state_(std::move(state)),
      hub_(std::move(hub)), peer_(std::move(c.peer)),
      can_control_(can_control), protocol_(can_control) {}

viewer_session::~viewer_session() {
    if (open_ && group_) group_->leave(this, paused_);
    if (open_ && delivery_) delivery_->close(paused_);
    state_->leave(this);
}

void viewer_session::run(http::request<http::string_body> req) {
    path_ = std::string(req.target().substr(0, req.target().find('?')));
    framed_ = offers_subprotocol(req[http::field::sec_websocket_protocol], wscam_subprotocol);
    // Only wscam.v1 can say what a binary message holds; a plain client always gets JPEGs.
    if (framed_) {
        const auto codec = query_param(req.target(), "codec");
        if (codec == "h264") wants_h264_ = unit_form::annexb;
        if (codec == "fmp4") wants_h264_ = unit_form::fmp4;
    }

    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = state_->config().handshake_timeout;
    timeouts.idle_timeout = state_->config().idle_timeout;
    timeouts.keep_alive_pings = true;
    limit_unsent(ws_.socket(), state_->config().send_lowat);
    // Each frame goes out as one message in one write: no fragmentation, no per-client copy.
    ws_.configure(timeouts, max_client_message_bytes, false);
    ws_.async_accept(req, framed_ ? wscam_subprotocol : std::string_view(),
                     beast::bind_front_handler(&viewer_session::on_accept, shared_from_this()));
}

void viewer_session::on_accept(beast::error_code ec) {
    if (ec) {
        spdlog::info("viewer handshake failed stream={} peer={}: {}", hub_->name(), peer_, ec.message());
        return;
    }
    if (!state_->join(shared_from_this())) {
        spdlog::warn("viewer refused stream={} peer={}: {}", hub_->name(), peer_,
                     state_->stopping() ? "shutting down" : "connection limit reached");
        ws_.async_close(websocket::close_reason(websocket::close_code::try_again_later, "server busy"),
                        [self = shared_from_this()](beast::error_code) {});
        return;
    }
    open_ = true;
    state_->viewer_opened();
    spdlog::info("viewer open stream={} peer={} path={} protocol={}{}{}", hub_->name(), peer_, path_,
                 framed_ ? wscam_subprotocol : "plain", ws_.tls() ? " tls" : "",
                 !wants_h264_ ? "" : *wants_h264_ == unit_form::fmp4 ? " codec=fmp4" : " codec=h264");
    // Join this stream's group on this session's own io_context first, then read the status:
    // a change after the read reaches us through the group (and is kept only if newer).
    group_ = state_->groups().group_for(hub_->hub(), io_context_of(ws_.socket()));
    const auto latest = group_->join(shared_from_this());
    const std::string codec_note = choose_delivery();
    delivery_->offer(latest);
    const auto info = hub_->info();
    const auto status = hub_->status();
    status_version_ = status.version;
    // Plain clients (the tutorial's page) get nothing but JPEGs; only wscam.v1 clients get texts unasked.
    if (framed_) {
        hello_fields hello{hub_->name(), info.width, info.height, info.fps, status.online, status.reason,
                           std::string(wscam_subprotocol), unix_now_us(), hub_->controls(), can_control_,
                           std::string(delivery_->codec()), delivery_->codec_string(info), codec_note};
        outbox_.push(viewer_outbox::kind::hello, make_hello_message(hello));
        if (auto notice = hub_->lasting_notice()) outbox_.push(viewer_outbox::kind::event, std::move(notice));  // an event going on
    }
    do_write();
    do_read();
}

std::string viewer_session::choose_delivery() {
    delivery_ = std::make_unique<jpeg_delivery>();
    if (!wants_h264_) return {};
    if (!state_->h264().enabled()) return "H.264 is off on this server (--h264-max-streams 0)";
    auto h264 = std::make_unique<h264_delivery>(*state_, hub_, io_context_of(ws_.socket()), peer_, *wants_h264_);
    if (auto why = h264->start(shared_from_this()); !why.empty()) {
        spdlog::warn("viewer gets JPEG, not H.264 stream={} peer={}: {}", hub_->name(), peer_, why);
        return why;
    }
    delivery_ = std::move(h264);
    return {};
}

void viewer_session::deliver_unit(rendition from, const frame_ptr& unit) {
    if (!open_ || paused_) return;
    const auto now = std::chrono::steady_clock::now();
    if (write_stalled(now)) return;
    if (delivery_->offer_unit(from, unit, now)) state_->count_frame_dropped();
    do_write();
}

void viewer_session::deliver(const frame_ptr& f) {
    if (!open_ || paused_) return;
    // A viewer that has not taken a frame for the write timeout is cut off here, even if it
    // keeps sending (which resets the WebSocket's own idle timer).
    if (write_stalled(std::chrono::steady_clock::now())) return;
    if (delivery_->offer(f)) state_->count_frame_dropped();
    do_write();
}

void viewer_session::deliver_status(const stream_status& s) {
    if (!framed_ || !open_ || s.version <= status_version_) return;  // older than what we told
    status_version_ = s.version;
    outbox_.push(viewer_outbox::kind::status, make_status_message(hub_->name(), s.online, s.reason, s.message),
                 s.online ? "online" : "offline");
    do_write();
}

void viewer_session::deliver_control(const std::string& id, double value) {
    if (!framed_ || !open_) return;
    outbox_.push(viewer_outbox::kind::control, make_control_changed_message(hub_->name(), id, value), id);
    do_write();
}

void viewer_session::deliver_notice(const std::shared_ptr<const std::string>& message) {
    if (!framed_ || !open_) return;
    outbox_.push(viewer_outbox::kind::event, message);  // the newest word on events is what counts
    do_write();
}

void viewer_session::deliver_controls(const std::shared_ptr<const std::string>& message) {
    if (!framed_ || !open_) return;
    outbox_.push(viewer_outbox::kind::controls, message);  // shared with every viewer, not copied
    do_write();
}

void viewer_session::shutdown() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        self->close_with(websocket::close_code::going_away, "server shutting down", "server shutdown");
    });
}

void viewer_session::end_stream(const std::string& reason) {
    close_with(static_cast<websocket::close_code>(close_stream_removed), reason, reason);
}

void viewer_session::close_with(websocket::close_code code, const std::string& reason, std::string log_as) {
    if (closing_ || !open_) return;
    closing_ = true;
    close_reason_ = std::move(log_as);
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = shared_from_this()](beast::error_code ec) { self->finish(ec); });
}

void viewer_session::do_read() {
    ws_.async_read(read_buffer_, beast::bind_front_handler(&viewer_session::on_read, shared_from_this()));
}

void viewer_session::on_read(beast::error_code ec, std::size_t) {
    if (ec) return finish(ec);
    if (write_stalled(std::chrono::steady_clock::now())) return;
    // Nothing a viewer sends may take the server down: a fault here closes this connection only.
    try {
        if (ws_.got_text()) {
            const auto data = read_buffer_.cdata();
            const std::string_view text(static_cast<const char*>(data.data()), data.size());
            handle(protocol_.on_text(text, unix_now_us(), std::chrono::steady_clock::now()));
        } else {
            handle(protocol_.on_binary());
        }
    } catch (const std::exception& e) {
        spdlog::error("viewer message failed stream={} peer={}: {}", hub_->name(), peer_, e.what());
        if (pump_.busy()) return abort("internal error");  // no second write while one is in flight
        abort_reason_ = "internal error";
        closing_ = true;
        ws_.async_close(websocket::close_reason(websocket::close_code::internal_error, "internal error"),
                        [self = shared_from_this()](beast::error_code ec) { self->finish(ec); });
        return;
    }
    read_buffer_.consume(read_buffer_.size());
    do_read();
}

void viewer_session::handle(const viewer_action& a) {
    if (!a.log.empty()) spdlog::debug("viewer message refused stream={} peer={}: {}", hub_->name(), peer_, a.log);
    if (!a.reply.empty()) outbox_.push(viewer_outbox::kind::reply, a.reply);
    if (a.pause) set_paused(*a.pause);
    if (a.keyframe) {
        // H.264: its decoder starts over, nothing more until the keyframe; JPEG: why that means nothing.
        if (const auto why = delivery_->restart(); !why.empty())
            outbox_.push(viewer_outbox::kind::reply, make_error_message(why));
    }
    if (a.control) {
        // The stream answers on whatever thread applied the change; come back to ours.
        hub_->set_control(a.control->id, a.control->value,
                          [weak = weak_from_this(), ex = ws_.get_executor(), id = a.control->id](const control_result& r) {
                              net::post(ex, [weak, id, r] {
                                  if (auto self = weak.lock()) self->on_control_result(id, r);
                              });
                          });
    }
    do_write();
}

void viewer_session::set_paused(bool paused) {
    if (paused_ == paused) return;
    // At most one line a second per viewer: a viewer can send thousands a second (issue 21).
    std::uint64_t suppressed = 0;
    if (pause_log_limit_.allow(rate_limit::clock::now(), suppressed))
        spdlog::info("viewer {} stream={} peer={}{}", paused ? "paused" : "resumed", hub_->name(), peer_,
                     suppressed ? fmt::format(" ({} more pauses and resumes since)", suppressed) : std::string());
    paused_ = paused;
    group_->set_paused(paused);  // a stream whose viewers all paused stops capturing
    // H.264: its encoder may have ended while it was paused and the cap been reached meanwhile:
    // it cannot go on, so it is told why and reconnects (and is then given JPEG).
    if (auto why = delivery_->set_paused(paused, paused ? frame_ptr() : hub_->latest()); !why.empty())
        return close_with(websocket::close_code::try_again_later, why, std::string(delivery_->codec()) + ": " + why);
    if (!paused_) do_write();
}

void viewer_session::on_control_result(const std::string& id, const control_result& r) {
    if (!open_) return;
    if (!r.ok) {
        spdlog::debug("control refused stream={} peer={}: {}", hub_->name(), peer_, r.error);
        outbox_.push(viewer_outbox::kind::reply, make_error_message(r.error));
        return do_write();
    }
    // Every viewer (this one included) hears of a real change as control_changed from the hub.
    std::uint64_t suppressed = 0;
    if (r.changed && control_log_limit_.allow(rate_limit::clock::now(), suppressed))
        spdlog::info("control set stream={} peer={} {}={}{}", hub_->name(), peer_, id, r.value,
                     suppressed ? fmt::format(" ({} more changes since)", suppressed) : std::string());
}

bool viewer_session::write_stalled(std::chrono::steady_clock::time_point now) {
    auto why = pump_.stalled(now, state_->config().write_timeout);
    if (!why) return false;
    abort(std::move(*why));
    return true;
}

void viewer_session::do_write() {
    // One write at a time (Beast's rule); nothing more once we began closing.
    if (pump_.busy() || closing_ || !open_) return;
    if (!outbox_.empty()) {
        pump_.begin();
        text_in_flight_ = outbox_.pop();
        ws_.async_write(net::buffer(*text_in_flight_), true,
                        beast::bind_front_handler(&viewer_session::on_write, shared_from_this(), false));
        return;
    }
    if (auto f = delivery_->start_write()) {
        pump_.begin();
        const auto bytes = framed_ ? f->framed() : f->jpeg();
        ws_.async_write(net::buffer(bytes.data(), bytes.size()), false,
                        beast::bind_front_handler(&viewer_session::on_write, shared_from_this(), true));
    }
}

void viewer_session::on_write(bool was_frame, beast::error_code ec, std::size_t) {
    if (ec) {
        pump_.end();
        return finish(ec);
    }
    if (!was_frame) {
        text_in_flight_.reset();  // written: not kept until the next text
        return on_sent({});
    }
    // The kernel has the whole frame: it counts as sent, and its buffer is let go at once.
    delivery_->write_done();
    state_->count_frame_sent();
    pump_.after_picture(ws_.socket(), state_->config().send_lowat,
                        beast::bind_front_handler(&viewer_session::on_sent, shared_from_this()));
}

void viewer_session::on_sent(beast::error_code ec) {
    pump_.end();
    if (ec) return finish(ec);
    do_write();
}

void viewer_session::abort(std::string reason) {
    if (!open_ || !abort_reason_.empty()) return;
    abort_reason_ = std::move(reason);
    // A write may be stuck, so no close frame: drop the TCP connection; every pending
    // operation then ends and finish() logs why.
    beast::error_code ignored;
    ws_.socket().close(ignored);
}

void viewer_session::finish(const beast::error_code& ec) {
    if (!open_) return;
    open_ = false;
    if (group_) group_->leave(this, paused_);
    if (delivery_) delivery_->close(paused_);
    state_->viewer_closed();
    std::string reason = ec ? ec.message() : "closed";
    if (ec == websocket::error::closed) {
        const auto cr = ws_.reason();
        reason = "peer closed (" + std::to_string(static_cast<int>(cr.code)) + ")";
    }
    if (closing_ && (!ec || ec == websocket::error::closed)) reason = close_reason_;
    if (!abort_reason_.empty()) reason = abort_reason_;
    spdlog::info("viewer closed stream={} peer={} {} reason={}", hub_->name(), peer_,
                 delivery_ ? delivery_->summary() : std::string("frames=0 drops=0"), reason);
    if (!closing_ && !is_expected_disconnect(ec)) {
        beast::error_code ignored;
        ws_.socket().close(ignored);
    }
}

}  // namespace wscam
