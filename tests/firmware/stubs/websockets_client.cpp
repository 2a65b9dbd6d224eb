// Stand-in for arduinoWebSockets' WebSocketsClient over Boost.Beast; see WebSocketsClient.h.
// Boost first: Arduino.h defines F(), which clashes with template parameters named F.
#include "net_common.hpp"

#include "WebSocketsClient.h"

#include "standin.h"

#include <deque>
#include <memory>
#include <string>

using namespace standin;

namespace {

struct Connection {
  explicit Connection(net::io_context &ioc) : ws(ioc), resolver(ioc) {}
  websocket::stream<beast::tcp_stream> ws;
  tcp::resolver resolver;
  beast::flat_buffer buffer;
  bool tcp_connected = false;
};

struct Event {
  WStype_t type;
  std::string data;
};

}  // namespace

struct WebSocketsClient::Impl {
  enum State { IDLE, CONNECTING, CONNECTED };

  net::io_context ioc;
  std::string host, url, protocol;
  std::string extra_headers = "Origin: file://";
  std::string authorization;  // full header value
  uint16_t port = 0;
  bool ssl = false;
  bool ssl_warned = false;
  WebSocketClientEvent cb;

  std::shared_ptr<Connection> conn;
  State state = IDLE;
  unsigned long last_fail = 0;
  unsigned long reconnect_interval = 500;

  uint32_t ping_interval = 0, pong_timeout = 0, last_ping = 0;
  uint8_t disconnect_count = 0, pong_timeout_count = 0;
  bool pong_received = false;

  std::deque<Event> events;

  void begin(const char *h, uint16_t p, const char *u, const char *proto, bool tls) {
    disconnect_now("begin() again");
    host = h ? h : "";
    port = p;
    url = u ? u : "/";
    protocol = proto ? proto : "";
    ssl = tls;
    ssl_warned = false;
    last_fail = 0;
    reconnect_interval = 500;
  }

  void lost(const std::shared_ptr<Connection> &c, const std::string &why) {
    if (c != conn) return;
    bool event = c->tcp_connected;  // like the library: no event when TCP never connected
    beast::error_code ignored;
    beast::get_lowest_layer(c->ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(c->ws).socket().close(ignored);
    conn.reset();
    if (state == CONNECTED) log("ws client: disconnected from %s:%u: %s", host.c_str(), (unsigned)port, why.c_str());
    else log("ws client: connection to %s:%u failed: %s", host.c_str(), (unsigned)port, why.c_str());
    state = IDLE;
    last_fail = millis();
    if (event) events.push_back({WStype_DISCONNECTED, {}});
  }

  void disconnect_now(const char *why) {
    if (!conn) return;
    auto c = conn;
    if (state == CONNECTED) {
      bool done = false;
      c->ws.async_close(websocket::close_code::normal, [&done](beast::error_code) { done = true; });
      run_until(ioc, &done, std::chrono::milliseconds(1000));
    }
    lost(c, why);
  }

  void start_connect() {
    if (ssl) {
      if (!ssl_warned) log("ws client: TLS (beginSSL/beginSslWithCA) is not implemented in the stand-in: not connecting");
      ssl_warned = true;
      return;
    }
    state = CONNECTING;
    auto c = std::make_shared<Connection>(ioc);
    conn = c;
    c->resolver.async_resolve(host, std::to_string(port), [this, c](beast::error_code ec, tcp::resolver::results_type results) {
      if (c != conn) return;
      if (ec) return lost(c, "resolve: " + ec.message());
      beast::get_lowest_layer(c->ws).expires_after(write_timeout);
      beast::get_lowest_layer(c->ws).async_connect(results, [this, c](beast::error_code ec, const tcp::endpoint &) {
        if (c != conn) return;
        if (ec) return lost(c, "connect: " + ec.message());
        c->tcp_connected = true;
        beast::get_lowest_layer(c->ws).socket().set_option(tcp::no_delay(true));
        c->ws.set_option(websocket::stream_base::decorator([this](websocket::request_type &req) {
          req.set(http::field::user_agent, "arduino-WebSocket-Client");
          if (!protocol.empty()) req.set(http::field::sec_websocket_protocol, protocol);
          if (!authorization.empty()) req.set(http::field::authorization, authorization);
          // extra headers: "Name: value" lines separated by \r\n
          std::string rest = extra_headers;
          while (!rest.empty()) {
            auto end = rest.find("\r\n");
            std::string line = rest.substr(0, end);
            rest = end == std::string::npos ? std::string() : rest.substr(end + 2);
            auto colon = line.find(':');
            if (colon == std::string::npos) continue;
            auto value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            req.set(line.substr(0, colon), value);
          }
        }));
        c->ws.async_handshake(host + ":" + std::to_string(port), url, [this, c](beast::error_code ec) {
          if (c != conn) return;
          if (ec) return lost(c, "handshake: " + ec.message());
          beast::get_lowest_layer(c->ws).expires_never();
          websocket::stream_base::timeout t{};
          t.handshake_timeout = write_timeout;
          t.idle_timeout = websocket::stream_base::none();
          t.keep_alive_pings = false;
          c->ws.set_option(t);
          c->ws.read_message_max(15 * 1024);  // WEBSOCKETS_MAX_DATA_SIZE on ESP32
          c->ws.control_callback([this, c](websocket::frame_type kind, beast::string_view payload) {
            if (c != conn) return;
            if (kind == websocket::frame_type::ping) events.push_back({WStype_PING, std::string(payload)});
            if (kind == websocket::frame_type::pong) {
              pong_received = true;
              events.push_back({WStype_PONG, std::string(payload)});
            }
          });
          state = CONNECTED;
          last_fail = 0;
          last_ping = millis();
          pong_received = true;
          pong_timeout_count = 0;
          log("ws client: connected to ws://%s:%u%s", host.c_str(), (unsigned)port, url.substr(0, url.find('?')).c_str());
          events.push_back({WStype_CONNECTED, url});
          read(c);
        });
      });
    });
  }

  void read(const std::shared_ptr<Connection> &c) {
    c->ws.async_read(c->buffer, [this, c](beast::error_code ec, std::size_t) {
      if (c != conn) return;
      if (ec) {
        std::string why = ec.message();
        if (ec == websocket::error::closed) {
          auto r = c->ws.reason();
          why = "closed by the server (" + std::to_string(r.code) + (r.reason.empty() ? "" : " " + std::string(r.reason.c_str())) + ")";
        }
        return lost(c, why);
      }
      events.push_back({c->ws.got_text() ? WStype_TEXT : WStype_BIN, beast::buffers_to_string(c->buffer.data())});
      c->buffer.consume(c->buffer.size());
      read(c);
    });
  }

  bool send(bool text, const uint8_t *payload, size_t length) {
    if (state != CONNECTED || !conn) return false;
    auto c = conn;
    return write_message(ioc, c->ws, text, payload, length, [&](const std::string &why) { lost(c, why); });
  }

  bool ping(const uint8_t *payload, size_t length) {
    if (state != CONNECTED || !conn) return false;
    auto c = conn;
    websocket::ping_data data;
    data.assign(reinterpret_cast<const char *>(payload), std::min<size_t>(length, data.max_size()));
    bool done = false;
    beast::error_code result;
    c->ws.async_ping(data, [&](beast::error_code ec) {
      result = ec;
      done = true;
    });
    if (!run_until(ioc, &done, write_timeout) || result) {
      lost(c, "ping failed");
      if (!done) run_until(ioc, &done, write_timeout);
      return false;
    }
    return true;
  }

  void heartbeat() {
    if (!ping_interval || state != CONNECTED) return;
    if (millis() - last_ping > ping_interval) {
      if (!ping(nullptr, 0)) return;
      last_ping = millis();
      pong_received = false;
    }
    if (pong_received) {
      pong_timeout_count = 0;
    } else if (millis() - last_ping > pong_timeout) {
      pong_timeout_count++;
      last_ping = millis() - ping_interval - 500;  // ping again on the next run, like the library
      if (disconnect_count && pong_timeout_count >= disconnect_count) disconnect_now("no pong (heartbeat)");
    }
  }

  void dispatch() {
    while (!events.empty()) {
      Event e = std::move(events.front());
      events.pop_front();
      if (!cb) continue;
      // The library hands out a NUL-terminated payload (and NULL for no payload).
      std::string data = e.data;
      cb(e.type, data.empty() && e.type != WStype_TEXT ? nullptr : reinterpret_cast<uint8_t *>(data.data()), e.data.size());
    }
  }

  void loop() {
    if (port == 0) return;
    poll(ioc);
    dispatch();
    if (state == IDLE && millis() - last_fail >= reconnect_interval) {
      start_connect();
      poll(ioc);
    }
    heartbeat();
    dispatch();
  }
};

WebSocketsClient::WebSocketsClient() : impl_(std::make_unique<Impl>()) {}
WebSocketsClient::~WebSocketsClient() = default;

void WebSocketsClient::begin(const char *host, uint16_t port, const char *url, const char *protocol) {
  impl_->begin(host, port, url, protocol, false);
}
void WebSocketsClient::begin(String host, uint16_t port, String url, String protocol) {
  begin(host.c_str(), port, url.c_str(), protocol.c_str());
}
void WebSocketsClient::begin(IPAddress host, uint16_t port, const char *url, const char *protocol) {
  begin(host.toString().c_str(), port, url, protocol);
}
void WebSocketsClient::beginSSL(const char *host, uint16_t port, const char *url, const char *, const char *protocol) {
  impl_->begin(host, port, url, protocol, true);
}
void WebSocketsClient::beginSSL(String host, uint16_t port, String url, String fingerprint, String protocol) {
  beginSSL(host.c_str(), port, url.c_str(), fingerprint.c_str(), protocol.c_str());
}
void WebSocketsClient::beginSslWithCA(const char *host, uint16_t port, const char *url, const char *, const char *protocol) {
  impl_->begin(host, port, url, protocol, true);
}

void WebSocketsClient::loop() { impl_->loop(); }
void WebSocketsClient::onEvent(WebSocketClientEvent cbEvent) { impl_->cb = std::move(cbEvent); }

bool WebSocketsClient::sendTXT(uint8_t *payload, size_t length, bool) {
  if (length == 0) length = strlen(reinterpret_cast<const char *>(payload));
  return impl_->send(true, payload, length);
}
bool WebSocketsClient::sendTXT(const uint8_t *payload, size_t length) { return sendTXT(const_cast<uint8_t *>(payload), length); }
bool WebSocketsClient::sendTXT(char *payload, size_t length, bool h) { return sendTXT(reinterpret_cast<uint8_t *>(payload), length, h); }
bool WebSocketsClient::sendTXT(const char *payload, size_t length) { return sendTXT((uint8_t *)payload, length); }
bool WebSocketsClient::sendTXT(String &payload) { return sendTXT(payload.c_str(), payload.length()); }
bool WebSocketsClient::sendTXT(char payload) { return impl_->send(true, reinterpret_cast<const uint8_t *>(&payload), 1); }

bool WebSocketsClient::sendBIN(uint8_t *payload, size_t length, bool) { return impl_->send(false, payload, length); }
bool WebSocketsClient::sendBIN(const uint8_t *payload, size_t length) { return impl_->send(false, payload, length); }

bool WebSocketsClient::sendPing(uint8_t *payload, size_t length) { return impl_->ping(payload, length); }
bool WebSocketsClient::sendPing(String &payload) { return impl_->ping(reinterpret_cast<const uint8_t *>(payload.c_str()), payload.length()); }

void WebSocketsClient::disconnect() { impl_->disconnect_now("disconnect()"); }

void WebSocketsClient::setAuthorization(const char *user, const char *password) {
  if (!user || !password) return;
  static const char *b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string in = std::string(user) + ":" + password, out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t n = (uint8_t)in[i] << 16 | (i + 1 < in.size() ? (uint8_t)in[i + 1] << 8 : 0) | (i + 2 < in.size() ? (uint8_t)in[i + 2] : 0);
    out += b64[n >> 18 & 63];
    out += b64[n >> 12 & 63];
    out += i + 1 < in.size() ? b64[n >> 6 & 63] : '=';
    out += i + 2 < in.size() ? b64[n & 63] : '=';
  }
  impl_->authorization = "Basic " + out;
}
void WebSocketsClient::setAuthorization(const char *auth) {
  if (auth) impl_->authorization = auth;
}
void WebSocketsClient::setExtraHeaders(const char *extraHeaders) { impl_->extra_headers = extraHeaders ? extraHeaders : ""; }
void WebSocketsClient::setReconnectInterval(unsigned long time) { impl_->reconnect_interval = time; }

void WebSocketsClient::enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout, uint8_t disconnectTimeoutCount) {
  impl_->ping_interval = pingInterval;
  impl_->pong_timeout = pongTimeout;
  impl_->disconnect_count = disconnectTimeoutCount;
  impl_->pong_received = false;
}
void WebSocketsClient::disableHeartbeat() { impl_->ping_interval = 0; }

bool WebSocketsClient::isConnected() { return impl_->state == Impl::CONNECTED; }
