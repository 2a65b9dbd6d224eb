#pragma once

#include <string>
#include <string_view>

#include "server/beast.hpp"

namespace wscam {

/**
 * How every HTTP answer of wscam ends: `Server: wscam`, its content type, the keep-alive the
 * request asked for, and a length. A refusal sets keep_alive(false) after this: the connection
 * closes once it is written (http_session reads that from the message).
 */
template <class Body>
void finish_response(http::response<Body>& res, const http::request<http::string_body>& req, std::string_view type) {
    res.set(http::field::server, "wscam");
    res.set(http::field::content_type, type);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
}

/** An answer whose body is text: every refusal and most pages of the API. */
inline http::response<http::string_body> text_response(const http::request<http::string_body>& req,
                                                       http::status status, std::string body,
                                                       std::string_view type = "text/plain; charset=utf-8") {
    http::response<http::string_body> res{status, req.version()};
    res.body() = std::move(body);
    finish_response(res, req, type);
    return res;
}

/** HEAD: the length the body would have, and no body (or the connection's framing breaks). */
inline void no_body_for_head(http::response<http::string_body>& res, bool head) {
    if (!head) return;
    const auto size = res.body().size();
    res.body().clear();
    res.content_length(size);
}

}  // namespace wscam
