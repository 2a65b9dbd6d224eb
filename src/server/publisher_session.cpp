#include "server/publisher_session.hpp"

#include <spdlog/spdlog.h>

#include "protocol/viewer_message.hpp"

namespace wscam {

publisher_session::publisher_session(upgraded_connection c, std::shared_ptr<shared_state> state,
                                     std::shared_ptr<stream> hub, std::shared_ptr<publish_gate> gate)
    : ws_(std::move(c.stream), std::move(c.tls_context)), ticket_(std::move(c.ticket)), state_(std::move(state)),
      hub_(std::move(hub)), gate_(std::move(gate)), peer_(std::move(c.peer)),
      intake_(hub_, state_->config().max_frame_bytes, state_->config().max_frame_pixels),
      expiry_(ws_.get_executor()) {}

publisher_session::~publisher_session() {
    if (protocol_) protocol_->close();  // its controls leave the stream with it
    if (claimed_ && gate_->release(this)) report_status(*hub_, false, "publisher disconnected");
    state_->leave(this);
}

void publisher_session::run(http::request<http::string_body> req) {
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = state_->config().handshake_timeout;
    timeouts.idle_timeout = state_->config().idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.configure(timeouts, state_->config().max_frame_bytes, true);
    ws_.async_accept(req, {}, beast::bind_front_handler(&publisher_session::on_accept, shared_from_this()));
}

void publisher_session::on_accept(beast::error_code ec) {
    if (ec) {
        spdlog::info("publisher handshake failed stream={} peer={}: {}", hub_->name(), peer_, ec.message());
        return;
    }
    if (!state_->join(shared_from_this())) return close_with(websocket::close_code::try_again_later, "server busy");
    const auto refusal = gate_->claim(shared_from_this());
    if (!refusal.empty()) {
        spdlog::warn("publisher refused stream={} peer={}: {}", hub_->name(), peer_, refusal);
        return close_with(websocket::close_code::policy_error, refusal);
    }
    claimed_ = true;
    spdlog::info("publisher open stream={} peer={}", hub_->name(), peer_);
    // Viewers' control changes reach us from their threads: post to ours, send from here.
    auto post = [weak = weak_from_this(), ex = ws_.get_executor()](std::function<void()> job) {
        if (weak.expired()) return false;
        net::post(ex, std::move(job));
        return true;
    };
    auto send = [weak = weak_from_this()](std::string text) {
        if (auto self = weak.lock()) self->send_text(std::move(text));
    };
    protocol_ = std::make_unique<publisher_protocol>(hub_, std::move(post), std::move(send));
    arm_expiry();
    report_status(*hub_, false, "publisher connected, waiting for its first frame");
    do_read();
}

void publisher_session::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&publisher_session::on_read, shared_from_this()));
}

void publisher_session::on_read(beast::error_code ec, std::size_t) {
    if (ec) return finish(ec);
    const auto data = buffer_.cdata();
    const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(data.data()), data.size());
    // Nothing a camera sends may take the server down: a fault here closes this connection only.
    try {
        if (ws_.got_text()) {
            const auto refused =
                protocol_->on_text(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
            std::uint64_t suppressed = 0;
            if (!refused.empty() && refusal_log_.allow(rate_limit::clock::now(), suppressed))
                spdlog::warn("publisher message refused stream={} peer={}: {}{}", hub_->name(), peer_, refused,
                             suppressed ? fmt::format(" ({} more since the last report)", suppressed) : std::string());
            // The camera is told too: its author sees why its controls do not appear.
            if (!refused.empty()) send_text(make_error_message(refused));
        } else if (intake_.offer(bytes)) {
            report_status(*hub_, true);
        }
    } catch (const std::exception& e) {
        spdlog::error("publisher message failed stream={} peer={}: {}", hub_->name(), peer_, e.what());
        return close_with(websocket::close_code::internal_error, "internal error");
    }
    buffer_.consume(buffer_.size());
    do_read();
}

void publisher_session::send_text(std::string text) {
    if (closing_ || finished_) return;
    if (texts_.size() >= 32) texts_.pop_front();  // a camera that does not read loses the oldest requests
    texts_.push_back(std::move(text));
    do_write();
}

void publisher_session::do_write() {
    if (writing_ || texts_.empty() || closing_ || finished_) return;
    writing_ = true;
    text_in_flight_ = std::move(texts_.front());
    texts_.pop_front();
    ws_.async_write(net::buffer(text_in_flight_), true,
                    beast::bind_front_handler(&publisher_session::on_write, shared_from_this()));
}

void publisher_session::on_write(beast::error_code ec, std::size_t) {
    writing_ = false;
    std::string().swap(text_in_flight_);  // sent: its memory is not kept until the next text
    if (ec) return finish(ec);
    do_write();
}

void publisher_session::arm_expiry() {
    expiry_.expires_after(std::chrono::milliseconds(500));
    expiry_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->finished_) return;
        self->protocol_->expire(std::chrono::steady_clock::now());
        self->arm_expiry();
    });
}

void publisher_session::kick(const std::string& reason) {
    net::post(ws_.get_executor(), [self = shared_from_this(), reason] {
        spdlog::info("publisher told to leave stream={} peer={}: {}", self->hub_->name(), self->peer_, reason);
        self->claimed_ = false;  // the gate already let go of it
        self->close_with(websocket::close_code::policy_error, reason);
    });
}

void publisher_session::shutdown() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        self->close_with(websocket::close_code::going_away, "server shutting down");
    });
}

void publisher_session::close_with(websocket::close_code code, const std::string& reason) {
    if (closing_) return;
    closing_ = true;
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = shared_from_this()](beast::error_code ec) { self->finish(ec); });
}

void publisher_session::finish(const beast::error_code& ec) {
    if (finished_) return;
    finished_ = true;
    expiry_.cancel();
    if (protocol_) protocol_->close();
    spdlog::info("publisher closed stream={} peer={} frames={} refused={} reason={}", hub_->name(), peer_,
                 intake_.accepted(), intake_.rejected(), ec && ec != websocket::error::closed ? ec.message() : "closed");
}

}  // namespace wscam
