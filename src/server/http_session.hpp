#pragma once

#include <memory>
#include <optional>

#include "server/beast.hpp"
#include "server/router.hpp"
#include "server/shared_state.hpp"

namespace wscam {

/**
 * One HTTP connection: reads requests (keep-alive), answers pages, API and snapshots, and
 * hands WebSocket upgrades to a viewer_session.
 */
class http_session : public closable, public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket socket, std::shared_ptr<shared_state> state, bool ws_only);
    ~http_session() override;

    void run();
    void shutdown() override;

private:
    using request = http::request<http::string_body>;

    void do_read();
    void on_read(beast::error_code ec, std::size_t bytes);
    void send(http::message_generator msg, bool keep_alive);
    void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
    void do_close();

    http::message_generator respond(const request& req, const route& r);
    bool upgrade(request& req, const route& r);
    bool may_view(const request& req) const;

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<shared_state> state_;
    bool ws_only_;
    bool joined_ = false;
    std::string peer_;
};

}  // namespace wscam
