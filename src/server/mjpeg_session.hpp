#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "core/stream.hpp"
#include "server/beast.hpp"
#include "server/frame_delivery.hpp"
#include "server/shared_state.hpp"
#include "server/viewer_group.hpp"
#include "server/write_pump.hpp"
#include "server/ws_transport.hpp"

namespace wscam {

/** The boundary between the parts of `/stream/<stream>.mjpg`. */
inline constexpr std::string_view mjpeg_boundary = "wscamframe";

/**
 * One reader of `GET /stream/<stream>.mjpg`: multipart/x-mixed-replace, one part per frame
 * (the JPEG's own bytes, shared with every other viewer; only the few-byte part header is
 * this reader's). The same rules as a WebSocket viewer: latest frame wins, one write in
 * flight, TCP_NOTSENT_LOWAT backpressure, `--write-timeout`. `?fps=N` caps its rate.
 * A reader sends nothing after its request, so nothing shows that it vanished while the camera
 * is silent: its write in flight is checked on a timer as well as on each frame, and an idle
 * connection has TCP keepalive.
 */
class mjpeg_session : public stream_viewer, public closable, public std::enable_shared_from_this<mjpeg_session> {
public:
    mjpeg_session(upgraded_connection connection, std::shared_ptr<shared_state> state, std::shared_ptr<stream> hub,
                  double max_fps);
    ~mjpeg_session() override;

    /** Answers the request (headers only for HEAD) and starts streaming. */
    void run(unsigned http_version, bool head, std::string path);

    void deliver(const frame_ptr& f) override;
    void shutdown() override;
    /** The stream was removed: the response ends after the part being sent (closing boundary). */
    void end_stream(const std::string& reason) override;

private:
    template <class F>
    void with_stream(F&& f) {
        std::visit(std::forward<F>(f), stream_);
    }
    tcp::socket& socket();
    void on_header(bool head, beast::error_code ec, std::size_t);
    void watch_for_close();
    void watch_writes();
    void do_write();
    void on_write(beast::error_code ec, std::size_t);
    void on_sent(beast::error_code ec);
    void write_end();
    void abort(std::string reason);
    void finish(const beast::error_code& ec);

    std::shared_ptr<ssl::context> tls_context_;  // declared first: outlives the stream made with it
    std::variant<tcp::socket, tls_stream> stream_;
    client_limits::ticket ticket_;
    std::shared_ptr<shared_state> state_;
    std::shared_ptr<stream> hub_;
    std::shared_ptr<viewer_group> group_;
    std::string peer_;
    std::string path_;
    std::int64_t min_interval_us_ = 0;  // from ?fps=
    std::int64_t next_capture_us_ = 0;  // frames captured before this are skipped (fps cap)
    bool open_ = false;
    write_pump pump_;
    std::optional<net::steady_timer> stall_timer_;  // checks the write in flight when no frame comes to
    std::string abort_reason_;
    std::string ending_;     // why the response is being ended (stream removed); empty while streaming
    jpeg_delivery delivery_;
    std::string head_;       // the response header, then each part's header
    std::array<char, 512> sink_{};  // what the reader sends after its request (ignored)
};

}  // namespace wscam
