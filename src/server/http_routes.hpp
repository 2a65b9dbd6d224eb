#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "server/beast.hpp"
#include "server/recording_routes.hpp"
#include "server/request_access.hpp"
#include "server/router.hpp"
#include "server/shared_state.hpp"
#include "server/ws_transport.hpp"

namespace wscam {

/**
 * What wscam answers an HTTP request with, one function per kind of route; http_session is
 * the transport they run on (it reads the request, writes the answer, or gives itself away).
 *
 * Every request takes the same steps in the same order: the refusals before routing (a plain
 * connection under --require-tls, a Host that is not ours asking for camera data no token
 * guards, a token from an address the wrong-token brake holds, a foreign Origin opening a
 * WebSocket); the method; the token's verdict (request_access), decided once; then the route,
 * which hands the connection to a session or answers. A refusal's reason is the verdict's.
 */
class http_routes {
public:
    using request = http::request<http::string_body>;
    /** Gives the connection away to the session a request becomes; called at most once per request. */
    using hand_over_fn = std::function<upgraded_connection()>;
    /** An answer made off the I/O thread (recording_routes.hpp); it must not own the connection. */
    using slow_answer = wscam::slow_answer;
    /** Runs a slow answer on the blocking pool and sends it; false when the pool is full. */
    using later_fn = answer_later;

    /** `client_key`: the address the wrong-token brake counts against; `ws_only`: the WebSocket-only port. */
    http_routes(std::shared_ptr<shared_state> state, std::string peer, std::string client_key, bool ws_only);

    /**
     * The answer to `req` on a connection that speaks TLS or not; nullopt when the request
     * became a viewer, publisher or MJPEG session (`hand_over` was called; `req` is moved from)
     * or its answer comes later (`later` took it). An answer that must close the connection
     * says keep_alive false.
     */
    std::optional<http::message_generator> answer(request& req, bool tls, const hand_over_fn& hand_over,
                                                  const later_fn& later);

private:
    /** One request in hand: what it asks for and what it brings. */
    struct asked {
        request& req;
        route where;
        std::string token;
        bool upgrade;
        bool head;
        std::shared_ptr<const stream_access_table> access;
        std::shared_ptr<stream> hub;    // the route's stream, when there is one of that name
        std::shared_ptr<publish_gate> gate;  // the stream's, when it takes publishers
        access_verdict verdict;              // decided after the refusals before routing
    };

    std::optional<http::message_generator> refusal_before_routing(const asked& a, bool tls);
    std::optional<http::message_generator> route_request(asked& a, const hand_over_fn& hand_over, const later_fn& later);
    std::optional<http::message_generator> recordings(const asked& a, const later_fn& later);
    /** /api/events/<stream> and an event's snapshot. */
    std::optional<http::message_generator> motion_events(const asked& a, const later_fn& later);
    /** A recordings request for another node's stream: 307 to the address it announced, else 404 naming it. */
    http::message_generator recordings_elsewhere(const asked& a, const std::string& node, const std::string& url);

    // The routes: a hand-off returns true (or nullopt) when the connection became a session.
    bool websocket_hand_off(asked& a, const hand_over_fn& hand_over);
    std::optional<http::message_generator> mjpeg(const asked& a, const hand_over_fn& hand_over);
    http::message_generator viewer_file(const asked& a);
    http::message_generator health(const asked& a);
    http::message_generator origin_check(const asked& a);
    http::message_generator stream_list(const asked& a);
    http::message_generator metrics(const asked& a);
    http::message_generator snapshot(const asked& a);
    http::message_generator publish_refused(const asked& a);
    http::message_generator websocket_endpoint(const asked& a);
    http::message_generator not_found(const asked& a);
    /** 404: no stream of the name the route asks for. */
    http::message_generator no_stream(const asked& a);

    /** Logs the answer (path only: a query may carry a token) and empties its body for HEAD. */
    http::message_generator reply(const asked& a, http::response<http::string_body> res);
    void log_answer(const asked& a, http::status status);
    /** log_answer for an answer made later: it copies what it logs, and owns nothing of the connection. */
    std::function<void(http::status)> answer_logger(const asked& a) const;
    /** A token that opened nothing here: counted toward the brake, which may start to hold this address. */
    void note_guess(const std::string& token);

    std::shared_ptr<shared_state> state_;
    std::string peer_;
    std::string client_key_;
    bool ws_only_;
};

}  // namespace wscam
