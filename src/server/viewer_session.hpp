#pragma once

#include <deque>
#include <memory>
#include <string>

#include "core/frame_hub.hpp"
#include "core/latest_frame_slot.hpp"
#include "server/beast.hpp"
#include "server/shared_state.hpp"

namespace wscam {

/** The WebSocket subprotocol that adds a header with sequence and capture time to each frame. */
inline constexpr std::string_view wscam_subprotocol = "wscam.v1";

/**
 * One WebSocket viewer of one stream. It lives on one single-threaded io_context; frames
 * reach it from its viewer_group on that thread. One write is in flight at a time, the
 * newest frame waits in a single pending slot, and status/pong texts go before frames.
 */
class viewer_group;

class viewer_session : public closable, public std::enable_shared_from_this<viewer_session> {
public:
    viewer_session(tcp::socket socket, std::shared_ptr<shared_state> state, std::shared_ptr<frame_hub> hub,
                   std::string peer, bool can_control);
    ~viewer_session() override;

    /** Accepts the upgrade `req` and starts streaming. */
    void run(http::request<http::string_body> req);

    /** From the viewer_group, on this session's thread. */
    void deliver(const frame_ptr& f);
    void deliver_status(const stream_status& s);
    void deliver_control(const std::string& id, double value);

    void shutdown() override;

private:
    void on_accept(beast::error_code ec);
    void do_read();
    void on_read(beast::error_code ec, std::size_t bytes);
    void handle_text(std::string_view text);
    void queue_text(std::string text);
    void do_write();
    void on_write(bool was_frame, beast::error_code ec, std::size_t bytes);
    void on_sent(bool was_frame, beast::error_code ec);
    void finish(const beast::error_code& ec);

    // Straight over the socket: the WebSocket's own timeouts suffice, and basic_stream's
    // per-operation wrapper costs instructions on every frame to every viewer.
    websocket::stream<tcp::socket> ws_;
    std::shared_ptr<viewer_group> group_;
    std::shared_ptr<shared_state> state_;
    std::shared_ptr<frame_hub> hub_;
    std::string peer_;
    std::string path_;
    bool framed_ = false;   // negotiated wscam.v1
    bool can_control_;
    bool open_ = false;     // accepted and subscribed, not yet finished
    bool writing_ = false;
    bool paused_ = false;
    bool closing_ = false;
    latest_frame_slot slot_;
    std::deque<std::string> texts_;
    std::string text_in_flight_;
    beast::flat_buffer read_buffer_;
};

}  // namespace wscam
