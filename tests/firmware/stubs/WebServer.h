// Stand-in for arduino-esp32's libraries/WebServer/src/WebServer.h: on(uri, handler),
// onNotFound, send(code, type, content), handleClient() over a real socket (Boost.Beast),
// one request per connection ("Connection: close"), handlers called from handleClient() only.
#pragma once

#include <Arduino.h>

#include <functional>
#include <memory>

typedef enum { HTTP_ANY = 0, HTTP_GET = 1, HTTP_HEAD = 2, HTTP_POST = 3, HTTP_PUT = 4, HTTP_DELETE = 5 } HTTPMethod;

class WebServer {
public:
  WebServer(int port = 80);
  virtual ~WebServer();

  virtual void begin();
  virtual void begin(uint16_t port);
  virtual void handleClient();
  virtual void close();
  void stop();

  typedef std::function<void(void)> THandlerFunction;
  void on(const String &uri, THandlerFunction fn);
  void on(const String &uri, HTTPMethod method, THandlerFunction fn);
  void onNotFound(THandlerFunction fn);

  String uri();
  HTTPMethod method();
  String arg(String name);
  bool hasArg(String name);
  int args();
  String header(String name);

  void send(int code, const char *content_type = NULL, const String &content = String(""));
  void send(int code, char *content_type, const String &content);
  void send(int code, const String &content_type, const String &content);
  void send(int code, const char *content_type, const char *content);
  void send_P(int code, PGM_P content_type, PGM_P content);
  void send_P(int code, PGM_P content_type, PGM_P content, size_t contentLength);
  void sendHeader(const String &name, const String &value, bool first = false);

  struct Impl;

private:
  std::unique_ptr<Impl> impl_;
};
