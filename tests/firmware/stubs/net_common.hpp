// Internal to the stand-ins: Boost.Beast/Asio plumbing shared by the WebSocket client and
// server and the web server. Each object owns one io_context that only its own loop() and
// blocking sends run, on the sketch's single thread, as the real libraries do.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>

namespace standin {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

/** Runs `ioc` until `*done` or until `timeout` passed; true when done. */
inline bool run_until(net::io_context &ioc, const bool *done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!*done) {
    if (ioc.stopped()) ioc.restart();
    ioc.run_one_until(deadline);
    if (!*done && std::chrono::steady_clock::now() >= deadline) return false;
  }
  return true;
}

/** Runs whatever is ready, never waits. */
inline void poll(net::io_context &ioc) {
  if (ioc.stopped()) ioc.restart();
  ioc.poll();
}

/** The library's write timeout: WEBSOCKETS_TCP_TIMEOUT. */
constexpr std::chrono::milliseconds write_timeout{5000};

}  // namespace standin
