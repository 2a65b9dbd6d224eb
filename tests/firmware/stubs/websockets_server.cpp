// Stand-in for arduinoWebSockets' WebSocketsServer over Boost.Beast; see WebSocketsServer.h.
// Boost first: Arduino.h defines F(), which clashes with template parameters named F.
#include "net_common.hpp"

#include "WebSocketsServer.h"

#include "standin.h"

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>

using namespace standin;

namespace {

struct Client {
  explicit Client(tcp::socket s) : ws(std::move(s)) {}
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  bool open = false;
  IPAddress ip;
};

struct Event {
  uint8_t num;
  WStype_t type;
  std::string data;
};

}  // namespace

struct WebSocketsServer::Impl {
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  uint16_t port;
  std::string protocol;
  WebSocketServerEvent cb;
  std::array<std::shared_ptr<Client>, WEBSOCKETS_SERVER_CLIENT_MAX> clients;
  std::deque<Event> events;

  void begin() {
    beast::error_code ec;
    acceptor.emplace(ioc);
    tcp::endpoint ep(net::ip::make_address(env_str("ESP32CAM_STANDIN_LISTEN", "127.0.0.1")), port);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      log("ws server: cannot listen on port %u: %s", (unsigned)port, ec.message().c_str());
      acceptor.reset();
      return;
    }
    log("ws server: listening on port %u", (unsigned)acceptor->local_endpoint().port());
    accept();
  }

  void accept() {
    acceptor->async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != net::error::operation_aborted) accept();
        return;
      }
      int num = -1;
      for (size_t i = 0; i < clients.size(); i++) {
        if (!clients[i]) {
          num = (int)i;
          break;
        }
      }
      if (num < 0) {  // the library: no free slot, the TCP connection is closed
        log("ws server: no free slot (%d clients): connection closed", WEBSOCKETS_SERVER_CLIENT_MAX);
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        auto c = std::make_shared<Client>(std::move(socket));
        beast::error_code ignored;
        auto remote = c->ws.next_layer().socket().remote_endpoint(ignored).address();
        if (remote.is_v4()) {
          auto b = remote.to_v4().to_bytes();
          c->ip = IPAddress(b[0], b[1], b[2], b[3]);
        }
        clients[(size_t)num] = c;
        handshake((uint8_t)num, c);
      }
      accept();
    });
  }

  void handshake(uint8_t num, const std::shared_ptr<Client> &c) {
    beast::get_lowest_layer(c->ws).expires_after(write_timeout);
    http::async_read(c->ws.next_layer(), c->buffer, c->request, [this, num, c](beast::error_code ec, std::size_t) {
      if (clients[num] != c) return;
      if (ec) return drop(num, "request: " + ec.message());
      if (!websocket::is_upgrade(c->request)) {
        // The library's answer to anything but a WebSocket upgrade.
        auto res = std::make_shared<std::string>(
            "HTTP/1.1 400 Bad Request\r\nServer: arduino-WebSocket-Server\r\nContent-Type: text/plain\r\n"
            "Content-Length: 32\r\nConnection: close\r\nSec-WebSocket-Version: 13\r\n\r\nThis is a Websocket server only!");
        net::async_write(c->ws.next_layer(), net::buffer(*res), [this, num, c, res](beast::error_code, std::size_t) {
          if (clients[num] == c) drop(num, "not a WebSocket request");
        });
        return;
      }
      std::string offered(c->request[http::field::sec_websocket_protocol]);
      c->ws.set_option(websocket::stream_base::decorator([this, offered](websocket::response_type &res) {
        res.set(http::field::server, "arduino-WebSocket-Server");
        if (!offered.empty()) res.set(http::field::sec_websocket_protocol, protocol);  // as the library does
      }));
      c->ws.async_accept(c->request, [this, num, c](beast::error_code ec) {
        if (clients[num] != c) return;
        if (ec) return drop(num, "handshake: " + ec.message());
        beast::get_lowest_layer(c->ws).expires_never();
        c->ws.set_option(websocket::stream_base::timeout{write_timeout, websocket::stream_base::none(), false});
        c->ws.read_message_max(15 * 1024);
        c->ws.control_callback([this, num, c](websocket::frame_type kind, beast::string_view payload) {
          if (clients[num] != c) return;
          if (kind == websocket::frame_type::ping) events.push_back({num, WStype_PING, std::string(payload)});
          if (kind == websocket::frame_type::pong) events.push_back({num, WStype_PONG, std::string(payload)});
        });
        c->open = true;
        std::string url(c->request.target());
        log("ws server: client %u connected (%s)", (unsigned)num, url.c_str());
        events.push_back({num, WStype_CONNECTED, url});
        c->buffer.consume(c->buffer.size());
        read(num, c);
      });
    });
  }

  void read(uint8_t num, const std::shared_ptr<Client> &c) {
    c->ws.async_read(c->buffer, [this, num, c](beast::error_code ec, std::size_t) {
      if (clients[num] != c) return;
      if (ec) return drop(num, ec == websocket::error::closed ? "closed by the client" : ec.message());
      events.push_back({num, c->ws.got_text() ? WStype_TEXT : WStype_BIN, beast::buffers_to_string(c->buffer.data())});
      c->buffer.consume(c->buffer.size());
      read(num, c);
    });
  }

  void drop(uint8_t num, const std::string &why) {
    auto c = clients[num];
    if (!c) return;
    clients[num].reset();
    beast::error_code ignored;
    beast::get_lowest_layer(c->ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(c->ws).socket().close(ignored);
    if (c->open) {
      log("ws server: client %u disconnected: %s", (unsigned)num, why.c_str());
      events.push_back({num, WStype_DISCONNECTED, {}});
    }
  }

  bool connected(uint8_t num) const { return num < clients.size() && clients[num] && clients[num]->open; }

  bool send(uint8_t num, bool text, const uint8_t *payload, size_t length) {
    if (!connected(num)) return false;
    auto c = clients[num];
    return write_message(ioc, c->ws, text, payload, length, [&](const std::string &why) {
      if (clients[num] == c) drop(num, why);
    });
  }

  bool broadcast(bool text, const uint8_t *payload, size_t length) {
    bool ok = true;
    for (uint8_t i = 0; i < clients.size(); i++) {  // one after the other, like the library
      if (connected(i) && !send(i, text, payload, length)) ok = false;
    }
    return ok;
  }

  bool ping(uint8_t num, const uint8_t *payload, size_t length) {
    if (!connected(num)) return false;
    auto c = clients[num];
    websocket::ping_data data;
    if (payload) data.assign(reinterpret_cast<const char *>(payload), std::min<size_t>(length, data.max_size()));
    bool done = false;
    beast::error_code result;
    c->ws.async_ping(data, [&](beast::error_code ec) {
      result = ec;
      done = true;
    });
    if (!run_until(ioc, &done, write_timeout) || result) {
      if (clients[num] == c) drop(num, "ping failed");
      if (!done) run_until(ioc, &done, write_timeout);
      return false;
    }
    return true;
  }

  void disconnect(uint8_t num) {
    if (!connected(num)) return;
    auto c = clients[num];
    bool done = false;
    c->ws.async_close(websocket::close_code::normal, [&done](beast::error_code) { done = true; });
    run_until(ioc, &done, std::chrono::milliseconds(1000));
    drop(num, "disconnect()");
  }

  void dispatch() {
    while (!events.empty()) {
      Event e = std::move(events.front());
      events.pop_front();
      if (!cb) continue;
      std::string data = e.data;
      cb(e.num, e.type, data.empty() && e.type != WStype_TEXT ? nullptr : reinterpret_cast<uint8_t *>(data.data()), e.data.size());
    }
  }
};

WebSocketsServer::WebSocketsServer(uint16_t port, const String &, const String &protocol) : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->protocol = protocol.c_str();
}
WebSocketsServer::~WebSocketsServer() = default;

void WebSocketsServer::begin() { impl_->begin(); }
void WebSocketsServer::close() {
  disconnect();
  if (impl_->acceptor) impl_->acceptor->close();
}
void WebSocketsServer::loop() {
  poll(impl_->ioc);
  impl_->dispatch();
}
void WebSocketsServer::onEvent(WebSocketServerEvent cbEvent) { impl_->cb = std::move(cbEvent); }

bool WebSocketsServer::sendTXT(uint8_t num, uint8_t *payload, size_t length, bool) {
  if (length == 0) length = strlen(reinterpret_cast<const char *>(payload));
  return impl_->send(num, true, payload, length);
}
bool WebSocketsServer::sendTXT(uint8_t num, const uint8_t *payload, size_t length) { return sendTXT(num, const_cast<uint8_t *>(payload), length); }
bool WebSocketsServer::sendTXT(uint8_t num, char *payload, size_t length, bool h) { return sendTXT(num, reinterpret_cast<uint8_t *>(payload), length, h); }
bool WebSocketsServer::sendTXT(uint8_t num, const char *payload, size_t length) { return sendTXT(num, (uint8_t *)payload, length); }
bool WebSocketsServer::sendTXT(uint8_t num, String &payload) { return sendTXT(num, payload.c_str(), payload.length()); }

bool WebSocketsServer::broadcastTXT(uint8_t *payload, size_t length, bool) {
  if (length == 0) length = strlen(reinterpret_cast<const char *>(payload));
  return impl_->broadcast(true, payload, length);
}
bool WebSocketsServer::broadcastTXT(const uint8_t *payload, size_t length) { return broadcastTXT(const_cast<uint8_t *>(payload), length); }
bool WebSocketsServer::broadcastTXT(char *payload, size_t length, bool h) { return broadcastTXT(reinterpret_cast<uint8_t *>(payload), length, h); }
bool WebSocketsServer::broadcastTXT(const char *payload, size_t length) { return broadcastTXT((uint8_t *)payload, length); }
bool WebSocketsServer::broadcastTXT(String &payload) { return broadcastTXT(payload.c_str(), payload.length()); }

bool WebSocketsServer::sendBIN(uint8_t num, uint8_t *payload, size_t length, bool) { return impl_->send(num, false, payload, length); }
bool WebSocketsServer::sendBIN(uint8_t num, const uint8_t *payload, size_t length) { return impl_->send(num, false, payload, length); }
bool WebSocketsServer::broadcastBIN(uint8_t *payload, size_t length, bool) { return impl_->broadcast(false, payload, length); }
bool WebSocketsServer::broadcastBIN(const uint8_t *payload, size_t length) { return impl_->broadcast(false, payload, length); }

bool WebSocketsServer::sendPing(uint8_t num, uint8_t *payload, size_t length) { return impl_->ping(num, payload, length); }
bool WebSocketsServer::broadcastPing(uint8_t *payload, size_t length) {
  bool ok = true;
  for (uint8_t i = 0; i < WEBSOCKETS_SERVER_CLIENT_MAX; i++) {
    if (impl_->connected(i) && !impl_->ping(i, payload, length)) ok = false;
  }
  return ok;
}

void WebSocketsServer::disconnect() {
  for (uint8_t i = 0; i < WEBSOCKETS_SERVER_CLIENT_MAX; i++) impl_->disconnect(i);
}
void WebSocketsServer::disconnect(uint8_t num) { impl_->disconnect(num); }

int WebSocketsServer::connectedClients(bool ping) {
  int count = 0;
  for (uint8_t i = 0; i < WEBSOCKETS_SERVER_CLIENT_MAX; i++) {
    if (impl_->connected(i) && (!ping || impl_->ping(i, nullptr, 0))) count++;
  }
  return count;
}
bool WebSocketsServer::clientIsConnected(uint8_t num) { return impl_->connected(num); }
IPAddress WebSocketsServer::remoteIP(uint8_t num) { return impl_->connected(num) ? impl_->clients[num]->ip : IPAddress(); }

void WebSocketsServer::enableHeartbeat(uint32_t, uint32_t, uint8_t) {
  log("ws server: enableHeartbeat is accepted but not implemented in the stand-in");
}
void WebSocketsServer::disableHeartbeat() {}
