// Stand-in for Links2004/arduinoWebSockets' src/WebSocketsServer.h (2.7.x, ESP32 build):
// same public methods, over real sockets (Boost.Beast). At most WEBSOCKETS_SERVER_CLIENT_MAX
// (5) clients, numbered by slot; loop() never blocks and calls the onEvent callback with
// (num, type, payload, length); sendTXT/sendBIN/broadcast* block until each message is handed
// to the kernel (5 s at most per client, then that client is dropped), one client after the
// other, like the library.
#pragma once

#include "WebSockets.h"

#include <memory>

#ifndef WEBSOCKETS_SERVER_CLIENT_MAX
#define WEBSOCKETS_SERVER_CLIENT_MAX (5)
#endif

class WebSocketsServer {
public:
  typedef std::function<void(uint8_t num, WStype_t type, uint8_t *payload, size_t length)> WebSocketServerEvent;

  WebSocketsServer(uint16_t port, const String &origin = "", const String &protocol = "arduino");
  virtual ~WebSocketsServer(void);

  void begin(void);
  void close(void);
  void loop(void);

  void onEvent(WebSocketServerEvent cbEvent);

  bool sendTXT(uint8_t num, uint8_t *payload, size_t length = 0, bool headerToPayload = false);
  bool sendTXT(uint8_t num, const uint8_t *payload, size_t length = 0);
  bool sendTXT(uint8_t num, char *payload, size_t length = 0, bool headerToPayload = false);
  bool sendTXT(uint8_t num, const char *payload, size_t length = 0);
  bool sendTXT(uint8_t num, String &payload);

  bool broadcastTXT(uint8_t *payload, size_t length = 0, bool headerToPayload = false);
  bool broadcastTXT(const uint8_t *payload, size_t length = 0);
  bool broadcastTXT(char *payload, size_t length = 0, bool headerToPayload = false);
  bool broadcastTXT(const char *payload, size_t length = 0);
  bool broadcastTXT(String &payload);

  bool sendBIN(uint8_t num, uint8_t *payload, size_t length, bool headerToPayload = false);
  bool sendBIN(uint8_t num, const uint8_t *payload, size_t length);

  bool broadcastBIN(uint8_t *payload, size_t length, bool headerToPayload = false);
  bool broadcastBIN(const uint8_t *payload, size_t length);

  bool sendPing(uint8_t num, uint8_t *payload = NULL, size_t length = 0);
  bool broadcastPing(uint8_t *payload = NULL, size_t length = 0);

  void disconnect(void);
  void disconnect(uint8_t num);

  int connectedClients(bool ping = false);
  bool clientIsConnected(uint8_t num);
  IPAddress remoteIP(uint8_t num);

  void enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout, uint8_t disconnectTimeoutCount);
  void disableHeartbeat();

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};
