#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/rate_limit.hpp"
#include "core/stream.hpp"
#include "server/beast.hpp"
#include "server/frame_delivery.hpp"
#include "server/h264_delivery.hpp"
#include "server/shared_state.hpp"
#include "protocol/viewer_outbox.hpp"
#include "server/viewer_group.hpp"
#include "protocol/viewer_protocol.hpp"
#include "server/write_pump.hpp"
#include "server/ws_transport.hpp"

namespace wscam {

/** The WebSocket subprotocol that adds a header with sequence and capture time to each frame. */
inline constexpr std::string_view wscam_subprotocol = "wscam.v1";
/** WebSocket close code when the stream itself goes away (removed by a config reload); like HTTP's 404. */
inline constexpr std::uint16_t close_stream_removed = 4404;

/**
 * One WebSocket viewer of one stream. It lives on one single-threaded io_context; frames
 * reach it from its viewer_group on that thread. One write is in flight at a time; texts
 * (status, pongs, controls) go before pictures, and which picture comes next is its
 * frame_delivery's business: a latest-frame slot for JPEG, or, for a wscam.v1 viewer that asks
 * for H.264 (`?codec=h264`) and gets it, an h264_delivery (its rendition, its group there, a
 * keyframe first). Either way it stays in the stream's own group for status, controls and demand.
 */
class viewer_session : public stream_viewer,
                       public h264_unit_sink,
                       public closable,
                       public std::enable_shared_from_this<viewer_session> {
public:
    viewer_session(upgraded_connection connection, std::shared_ptr<shared_state> state, std::shared_ptr<stream> hub,
                   bool can_control);
    ~viewer_session() override;

    /** Accepts the upgrade `req` and starts streaming. */
    void run(http::request<http::string_body> req);

    /** From the viewer_group, on this session's thread. */
    void deliver(const frame_ptr& f) override;
    void deliver_status(const stream_status& s) override;
    void deliver_control(const std::string& id, double value) override;
    void deliver_controls(const std::shared_ptr<const std::string>& message) override;
    void deliver_notice(const std::shared_ptr<const std::string>& message) override;
    /** From one of its H.264 renditions' groups, on this session's thread. */
    void deliver_unit(rendition from, const frame_ptr& unit) override;

    void shutdown() override;
    /** Closes with close_stream_removed and the reason (on this session's thread). */
    void end_stream(const std::string& reason) override;

private:
    /** Closes with `code` and `reason`; the log's "viewer closed" line says `log_as`. */
    void close_with(websocket::close_code code, const std::string& reason, std::string log_as);
    void on_accept(beast::error_code ec);
    void do_read();
    void on_read(beast::error_code ec, std::size_t bytes);
    void handle(const viewer_action& action);
    void set_paused(bool paused);
    void on_control_result(const std::string& id, const control_result& r);
    /** Picks the delivery at accept: H.264 if asked, allowed and an encoder is free; else JPEG, and why not. */
    std::string choose_delivery();
    bool write_stalled(std::chrono::steady_clock::time_point now);
    void do_write();
    void on_write(bool was_frame, beast::error_code ec, std::size_t bytes);
    void on_sent(beast::error_code ec);
    void abort(std::string reason);
    void finish(const beast::error_code& ec);

    // Plain viewers straight over the socket: the WebSocket's own timeouts suffice, and
    // basic_stream's per-operation wrapper costs instructions on every frame to every viewer.
    ws_transport ws_;
    client_limits::ticket ticket_;  // this connection's place under the per-address limits
    std::shared_ptr<viewer_group> group_;
    std::shared_ptr<shared_state> state_;
    std::shared_ptr<stream> hub_;
    std::string peer_;
    std::string path_;
    bool framed_ = false;   // negotiated wscam.v1
    bool can_control_;
    bool open_ = false;     // accepted and subscribed, not yet finished
    write_pump pump_;
    bool paused_ = false;
    bool closing_ = false;
    std::uint64_t status_version_ = 0;                 // of the newest status this viewer was told
    std::string close_reason_;                         // why the server closed it, for the log
    std::string abort_reason_;                         // why the server cut the connection, if it did
    std::optional<unit_form> wants_h264_;        // asked with ?codec=h264 (Annex B) or ?codec=fmp4 (MSE)
    std::unique_ptr<frame_delivery> delivery_;  // chosen at accept
    viewer_protocol protocol_;
    viewer_outbox outbox_;
    viewer_outbox::text text_in_flight_;  // released when written: a list of controls can take 64 KiB
    beast::flat_buffer read_buffer_;
    rate_limit control_log_limit_{std::chrono::seconds(1)};
    rate_limit pause_log_limit_{std::chrono::seconds(1)};
};

}  // namespace wscam
