#pragma once

// The Beast and Asio names of the code that connects out to cameras (pull/ and the ESP32
// control client): the only Beast in sources/, and the only Beast includes they need.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace wscam::pull {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

/** A connected byte stream: plain TCP or TLS over TCP. */
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

}  // namespace wscam::pull
