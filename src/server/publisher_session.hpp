#pragma once

#include <deque>
#include <memory>
#include <string>

#include "core/rate_limit.hpp"
#include "core/stream.hpp"
#include "core/publish_gate.hpp"
#include "server/beast.hpp"
#include "protocol/publisher_protocol.hpp"
#include "server/shared_state.hpp"
#include "server/ws_transport.hpp"
#include "sources/frame_intake.hpp"

namespace wscam {

/**
 * A camera publishing into a `push:` stream over `/publish/<stream>`: each binary message is
 * one JPEG, checked by a frame_intake before any viewer sees it; text messages are its
 * control channel and status (publisher_protocol). One per stream at a time (see publish_gate).
 */
class publisher_session : public publisher,
                          public closable,
                          public std::enable_shared_from_this<publisher_session> {
public:
    publisher_session(upgraded_connection connection, std::shared_ptr<shared_state> state,
                      std::shared_ptr<stream> hub,
                      std::shared_ptr<publish_gate> gate);
    ~publisher_session() override;

    void run(http::request<http::string_body> req);
    void kick(const std::string& reason) override;
    void shutdown() override;

private:
    void on_accept(beast::error_code ec);
    void do_read();
    void on_read(beast::error_code ec, std::size_t bytes);
    void send_text(std::string text);
    void do_write();
    void on_write(beast::error_code ec, std::size_t bytes);
    void arm_expiry();
    void close_with(websocket::close_code code, const std::string& reason);
    void finish(const beast::error_code& ec);

    ws_transport ws_;
    client_limits::ticket ticket_;  // this connection's place under the per-address limits
    std::shared_ptr<shared_state> state_;
    std::shared_ptr<stream> hub_;
    std::shared_ptr<publish_gate> gate_;  // the one it came in through (a reload may give the stream a new one)
    std::string peer_;
    frame_intake intake_;
    std::unique_ptr<publisher_protocol> protocol_;
    beast::flat_buffer buffer_;
    std::deque<std::string> texts_;  // control requests and refusals to the camera, at most 32
    std::string text_in_flight_;
    bool writing_ = false;
    net::steady_timer expiry_;       // fails control requests the camera does not answer
    rate_limit refusal_log_{std::chrono::seconds(5)};
    bool claimed_ = false;
    bool closing_ = false;
    bool finished_ = false;
};

}  // namespace wscam
