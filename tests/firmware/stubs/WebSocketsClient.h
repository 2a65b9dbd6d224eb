// Stand-in for Links2004/arduinoWebSockets' src/WebSocketsClient.h (2.7.x, ESP32 build):
// same public methods and event semantics, over a real TCP socket (Boost.Beast).
//  - loop() never blocks: it runs whatever network work is ready and calls the onEvent
//    callback (WStype_CONNECTED with the URL, WStype_TEXT / WStype_BIN with the payload,
//    NUL-terminated, WStype_PING / WStype_PONG, WStype_DISCONNECTED).
//  - sendTXT/sendBIN block until the message is handed to the kernel (5 s at most, then the
//    connection is dropped), like the library's writes to a WiFiClient.
//  - when not connected, loop() connects again once setReconnectInterval() ms (default 500)
//    have passed since the last failure or disconnect.
//  - the handshake is the library's: "Sec-WebSocket-Protocol: arduino" (the protocol
//    argument), "Origin: file://", "User-Agent: arduino-WebSocket-Client".
//  - beginSSL/beginSslWithCA: TLS is NOT implemented in the stand-in; it says so on stderr
//    and never connects.
#pragma once

#include "WebSockets.h"

#include <memory>

class WebSocketsClient {
public:
  typedef std::function<void(WStype_t type, uint8_t *payload, size_t length)> WebSocketClientEvent;

  WebSocketsClient(void);
  virtual ~WebSocketsClient(void);

  void begin(const char *host, uint16_t port, const char *url = "/", const char *protocol = "arduino");
  void begin(String host, uint16_t port, String url = "/", String protocol = "arduino");
  void begin(IPAddress host, uint16_t port, const char *url = "/", const char *protocol = "arduino");

  void beginSSL(const char *host, uint16_t port, const char *url = "/", const char *fingerprint = "", const char *protocol = "arduino");
  void beginSSL(String host, uint16_t port, String url = "/", String fingerprint = "", String protocol = "arduino");
  void beginSslWithCA(const char *host, uint16_t port, const char *url = "/", const char *CA_cert = NULL, const char *protocol = "arduino");

  void loop(void);

  void onEvent(WebSocketClientEvent cbEvent);

  bool sendTXT(uint8_t *payload, size_t length = 0, bool headerToPayload = false);
  bool sendTXT(const uint8_t *payload, size_t length = 0);
  bool sendTXT(char *payload, size_t length = 0, bool headerToPayload = false);
  bool sendTXT(const char *payload, size_t length = 0);
  bool sendTXT(String &payload);
  bool sendTXT(char payload);

  bool sendBIN(uint8_t *payload, size_t length, bool headerToPayload = false);
  bool sendBIN(const uint8_t *payload, size_t length);

  bool sendPing(uint8_t *payload = NULL, size_t length = 0);
  bool sendPing(String &payload);

  void disconnect(void);

  void setAuthorization(const char *user, const char *password);
  void setAuthorization(const char *auth);

  void setExtraHeaders(const char *extraHeaders = NULL);

  void setReconnectInterval(unsigned long time);

  void enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout, uint8_t disconnectTimeoutCount);
  void disableHeartbeat();

  bool isConnected(void);

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};
