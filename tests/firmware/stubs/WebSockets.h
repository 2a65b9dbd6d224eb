// Stand-in for Links2004/arduinoWebSockets' src/WebSockets.h: the event types. The client and
// server (WebSocketsClient.h, WebSocketsServer.h) run over real sockets with Boost.Beast.
#pragma once

#include <Arduino.h>
#include <IPAddress.h>

#include <functional>

#define WEBSOCKETS_VERSION "2.7.3-standin"
#define WEBSOCKETS_TCP_TIMEOUT (5000)
#define NETWORK_ESP32 (4)
#define WEBSOCKETS_NETWORK_TYPE NETWORK_ESP32
#define HAS_SSL

typedef enum {
  WStype_ERROR,
  WStype_DISCONNECTED,
  WStype_CONNECTED,
  WStype_TEXT,
  WStype_BIN,
  WStype_FRAGMENT_TEXT_START,
  WStype_FRAGMENT_BIN_START,
  WStype_FRAGMENT,
  WStype_FRAGMENT_FIN,
  WStype_PING,
  WStype_PONG,
} WStype_t;
