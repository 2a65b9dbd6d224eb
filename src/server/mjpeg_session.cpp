#include "server/mjpeg_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>

#include "server/mjpeg_rate.hpp"

namespace wscam {
namespace {

// A reader that vanished without a FIN (a pulled cable, a sleeping laptop) while nothing is
// written (the camera is offline) is found by the kernel's probes: first after `idle`, then
// every 10 s; after 3 unanswered the socket fails, and with it the read that watches it.
void keep_alive(tcp::socket& socket, std::chrono::seconds idle) {
    const int fd = socket.native_handle();
    const int on = 1, first = static_cast<int>(std::max<std::int64_t>(idle.count(), 1)), every = 10, probes = 3;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &first, sizeof first);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &every, sizeof every);
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
}

}  // namespace

mjpeg_session::mjpeg_session(upgraded_connection c, std::shared_ptr<shared_state> state,
                             std::shared_ptr<stream> hub, double max_fps)
    : tls_context_(std::move(c.tls_context)), stream_(std::move(c.stream)), ticket_(std::move(c.ticket)),
      state_(std::move(state)), hub_(std::move(hub)), peer_(std::move(c.peer)),
      min_interval_us_(mjpeg_min_interval_us(max_fps)) {}

mjpeg_session::~mjpeg_session() {
    if (open_ && group_) group_->leave(this, false);
    state_->leave(this);
}

tcp::socket& mjpeg_session::socket() {
    return std::visit([](auto& s) -> tcp::socket& { return lowest_socket(s); }, stream_);
}

void mjpeg_session::run(unsigned http_version, bool head, std::string path) {
    path_ = std::move(path);
    if (!state_->join(shared_from_this())) return;  // shutting down
    limit_unsent(socket(), state_->config().send_lowat);
    keep_alive(socket(), state_->config().idle_timeout);
    stall_timer_.emplace(socket().get_executor());
    head_ = fmt::format("HTTP/{}.{} 200 OK\r\nServer: wscam\r\nContent-Type: multipart/x-mixed-replace; boundary={}\r\n"
                        "Cache-Control: no-store, no-cache, must-revalidate\r\nPragma: no-cache\r\nConnection: close\r\n\r\n",
                        http_version / 10, http_version % 10, mjpeg_boundary);
    with_stream([&](auto& s) {
        net::async_write(s, net::buffer(head_),
                         beast::bind_front_handler(&mjpeg_session::on_header, shared_from_this(), head));
    });
}

void mjpeg_session::on_header(bool head, beast::error_code ec, std::size_t) {
    if (ec || head || !abort_reason_.empty()) {
        beast::error_code ignored;
        socket().shutdown(tcp::socket::shutdown_both, ignored);
        return;
    }
    open_ = true;
    state_->viewer_opened();
    state_->mjpeg_opened();
    spdlog::info("mjpeg open stream={} peer={} path={} fps={}{}", hub_->name(), peer_, path_,
                 min_interval_us_ ? fmt::format("{:.3g}", 0.9e6 / static_cast<double>(min_interval_us_)) : "all",
                 stream_.index() == 1 ? " tls" : "");
    group_ = state_->groups().group_for(hub_->hub(), io_context_of(socket()));
    if (auto f = group_->join(shared_from_this())) deliver(f);
    watch_for_close();
    watch_writes();
}

void mjpeg_session::watch_for_close() {
    // A reader sends nothing after its request; reading tells us when it goes away.
    with_stream([&](auto& s) {
        s.async_read_some(net::buffer(sink_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->finish(ec);
            self->watch_for_close();
        });
    });
}

void mjpeg_session::watch_writes() {
    // deliver() checks the write in flight when a frame comes; a silent camera sends none, so a
    // reader that stopped reading would keep its connection and frame for ever without this.
    const auto limit = state_->config().write_timeout;
    if (limit.count() == 0) return;
    stall_timer_->expires_after(std::max<std::chrono::milliseconds>(limit / 2, std::chrono::seconds(1)));
    stall_timer_->async_wait([self = shared_from_this(), limit](beast::error_code ec) {
        if (ec || !self->open_) return;
        if (auto why = self->pump_.stalled(std::chrono::steady_clock::now(), limit)) return self->abort(std::move(*why));
        self->watch_writes();
    });
}

void mjpeg_session::deliver(const frame_ptr& f) {
    if (!open_ || !f) return;
    if (auto why = pump_.stalled(std::chrono::steady_clock::now(), state_->config().write_timeout))
        return abort(std::move(*why));
    if (min_interval_us_) {
        if (f->capture_us() < next_capture_us_) return;  // over this reader's ?fps=
        next_capture_us_ = f->capture_us() + min_interval_us_;
    }
    if (delivery_.offer(f)) state_->count_frame_dropped();
    do_write();
}

void mjpeg_session::do_write() {
    if (pump_.busy() || !open_ || !ending_.empty()) return;
    auto f = delivery_.start_write();
    if (!f) return;
    pump_.begin();
    const auto jpeg = f->jpeg();
    // X-Timestamp (capture time, seconds since the epoch) as mjpg-streamer sends it; X-Sequence
    // the stream's frame number, so readers can measure latency and count skipped frames.
    const auto capture = f->capture_us();
    head_ = fmt::format("--{}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\nX-Timestamp: {}.{:06}\r\n"
                        "X-Sequence: {}\r\n\r\n",
                        mjpeg_boundary, jpeg.size(), capture / 1'000'000, capture % 1'000'000, f->sequence());
    static constexpr std::string_view crlf = "\r\n";
    const std::array<net::const_buffer, 3> parts{net::buffer(head_), net::buffer(jpeg.data(), jpeg.size()),
                                                 net::buffer(crlf.data(), crlf.size())};
    with_stream([&](auto& s) {
        net::async_write(s, parts, beast::bind_front_handler(&mjpeg_session::on_write, shared_from_this()));
    });
}

void mjpeg_session::on_write(beast::error_code ec, std::size_t) {
    if (ec) {
        pump_.end();
        return finish(ec);
    }
    delivery_.write_done();
    state_->count_frame_sent();
    pump_.after_picture(socket(), state_->config().send_lowat,
                        beast::bind_front_handler(&mjpeg_session::on_sent, shared_from_this()));
}

void mjpeg_session::on_sent(beast::error_code ec) {
    pump_.end();
    if (ec) return finish(ec);
    if (!ending_.empty()) return write_end();
    do_write();
}

void mjpeg_session::end_stream(const std::string& reason) {
    if (!open_ || !ending_.empty()) return;
    ending_ = reason;
    if (!pump_.busy()) write_end();
}

void mjpeg_session::write_end() {
    // The closing boundary tells the reader the stream ended (rather than the network failed).
    pump_.begin();
    head_ = fmt::format("--{}--\r\n", mjpeg_boundary);
    with_stream([&](auto& s) {
        net::async_write(s, net::buffer(head_), [self = shared_from_this()](beast::error_code, std::size_t) {
            self->pump_.end();
            self->abort(self->ending_);
        });
    });
}

void mjpeg_session::abort(std::string reason) {
    if (!abort_reason_.empty()) return;
    abort_reason_ = std::move(reason);
    beast::error_code ignored;
    socket().close(ignored);
}

void mjpeg_session::shutdown() {
    net::post(socket().get_executor(), [self = shared_from_this()] { self->abort("server shutdown"); });
}

void mjpeg_session::finish(const beast::error_code& ec) {
    if (!open_) return;
    open_ = false;
    if (group_) group_->leave(this, false);
    stall_timer_->cancel();
    state_->viewer_closed();
    state_->mjpeg_closed();
    std::string reason = abort_reason_.empty() ? (ec ? ec.message() : "closed") : abort_reason_;
    if (abort_reason_.empty() && is_expected_disconnect(ec)) reason = "reader left";
    spdlog::info("mjpeg closed stream={} peer={} {} reason={}", hub_->name(), peer_, delivery_.summary(), reason);
    beast::error_code ignored;
    socket().close(ignored);
}

}  // namespace wscam
