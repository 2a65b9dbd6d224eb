#pragma once

// The one place Beast/Asio are included from inside src/server; only the server's
// own .cpp files include this header.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace wscam {
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

/** A connection after the TLS handshake on the shared port. */
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

/** host:port of a socket's peer, for logs; "?" if it is already gone. */
std::string peer_string(const tcp::socket& s);

/** Errors that are part of normal life (peer left, we closed, shutdown) and need no log line. */
bool is_expected_disconnect(const beast::error_code& ec);
}  // namespace wscam
