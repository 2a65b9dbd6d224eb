// Internal to the stand-ins: Boost.Beast/Asio plumbing shared by the WebSocket client and
// server and the web server. Each object owns one io_context that only its own loop() and
// blocking sends run, on the sketch's single thread, as the real libraries do.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <cstdint>
#include <string>

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

/**
 * Writes one WebSocket message as the library does: the sketch's thread waits until it is
 * sent or write_timeout passes. On failure `lose(why)` drops the connection (on a timeout
 * before waiting for the aborted write to complete); returns whether it was sent.
 */
template <class Ws, class Lose>
bool write_message(net::io_context &ioc, Ws &ws, bool text, const uint8_t *payload, size_t length, Lose &&lose) {
  ws.text(text);
  bool done = false;
  beast::error_code result;
  ws.async_write(net::buffer(payload, length), [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  if (!run_until(ioc, &done, write_timeout)) {
    lose(std::string("write timed out"));
    run_until(ioc, &done, write_timeout);  // the aborted write completes
    return false;
  }
  if (result) lose("write: " + result.message());
  return !result;
}

}  // namespace standin
