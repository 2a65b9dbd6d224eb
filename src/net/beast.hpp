#pragma once

// Beast and Asio, and the short names wscam's code uses for them: included by the two rooms that
// speak HTTP and WebSocket (server/beast.hpp, sources/pull/beast.hpp) and nowhere else. Their
// compiled half is built once, in asio_beast.cpp.
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

/** A TCP connection with TLS on it (a viewer on the shared port, or a camera wscam connects to). */
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

}  // namespace wscam
