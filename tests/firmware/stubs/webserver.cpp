// Stand-in for arduino-esp32's WebServer over Boost.Beast; see WebServer.h.
// Boost first: Arduino.h defines F(), which clashes with template parameters named F.
#include "net_common.hpp"

#include <WebServer.h>

#include "standin.h"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace standin;

namespace {

struct Connection {
  explicit Connection(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
};

struct Route {
  std::string uri;
  HTTPMethod method;
  WebServer::THandlerFunction fn;
};

std::string url_decode(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size()) {
      out += (char)std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16);
      i += 2;
    } else out += s[i];
  }
  return out;
}

}  // namespace

struct WebServer::Impl {
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  int port = 80;
  std::vector<Route> routes;
  THandlerFunction not_found;
  std::deque<std::shared_ptr<Connection>> ready;  // requests read, waiting for handleClient()

  // the request being handled
  std::shared_ptr<Connection> current;
  std::string path;
  std::vector<std::pair<std::string, std::string>> args;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  bool responded = false;

  void begin(int p) {
    port = p;
    beast::error_code ec;
    acceptor.emplace(ioc);
    tcp::endpoint ep(net::ip::make_address(env_str("ESP32CAM_STANDIN_LISTEN", "127.0.0.1")), (uint16_t)port);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      log("web server: cannot listen on port %d: %s", port, ec.message().c_str());
      acceptor.reset();
      return;
    }
    log("web server: listening on port %u", (unsigned)acceptor->local_endpoint().port());
    accept();
  }

  void accept() {
    acceptor->async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != net::error::operation_aborted) accept();
        return;
      }
      auto c = std::make_shared<Connection>(std::move(socket));
      c->stream.expires_after(std::chrono::milliseconds(5000));  // HTTP_MAX_DATA_WAIT
      http::async_read(c->stream, c->buffer, c->request, [this, c](beast::error_code ec, std::size_t) {
        if (!ec) ready.push_back(c);
      });
      accept();
    });
  }

  void respond(int code, const std::string &type, const std::string &body) {
    if (!current || responded) return;
    responded = true;
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(code), 11);
    res->set(http::field::server, "arduino-esp32 WebServer (stand-in)");
    if (!type.empty()) res->set(http::field::content_type, type);
    for (const auto &[name, value] : extra_headers) res->set(name, value);
    res->set(http::field::connection, "close");
    if (current->request.method() != http::verb::head) res->body() = body;
    res->content_length(body.size());
    bool done = false;
    auto c = current;
    http::async_write(c->stream, *res, [&done, res](beast::error_code, std::size_t) { done = true; });
    run_until(ioc, &done, write_timeout);
    beast::error_code ignored;
    c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  void handle(const std::shared_ptr<Connection> &c) {
    current = c;
    responded = false;
    extra_headers.clear();
    args.clear();
    std::string target(c->request.target());
    auto q = target.find('?');
    path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string query = target.substr(q + 1);
      size_t start = 0;
      while (start <= query.size()) {
        size_t end = query.find('&', start);
        std::string part = query.substr(start, end == std::string::npos ? std::string::npos : end - start);
        if (!part.empty()) {
          auto eq = part.find('=');
          args.emplace_back(url_decode(part.substr(0, eq)), eq == std::string::npos ? "" : url_decode(part.substr(eq + 1)));
        }
        if (end == std::string::npos) break;
        start = end + 1;
      }
    }
    HTTPMethod m = c->request.method() == http::verb::get    ? HTTP_GET
                   : c->request.method() == http::verb::head ? HTTP_HEAD
                   : c->request.method() == http::verb::post ? HTTP_POST
                   : c->request.method() == http::verb::put  ? HTTP_PUT
                                                             : HTTP_DELETE;
    const Route *route = nullptr;
    for (const auto &r : routes) {
      if (r.uri == path && (r.method == HTTP_ANY || r.method == m || (r.method == HTTP_GET && m == HTTP_HEAD))) {
        route = &r;
        break;
      }
    }
    if (route) route->fn();
    else if (not_found) not_found();
    else respond(404, "text/plain", "Not found: " + path);
    if (!responded) respond(500, "text/plain", "the handler sent no response");
    current.reset();
  }
};

WebServer::WebServer(int port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
WebServer::~WebServer() = default;

void WebServer::begin() { impl_->begin(impl_->port); }
void WebServer::begin(uint16_t port) { impl_->begin(port); }
void WebServer::handleClient() {
  poll(impl_->ioc);
  if (impl_->ready.empty()) return;
  auto c = impl_->ready.front();
  impl_->ready.pop_front();
  impl_->handle(c);
}
void WebServer::close() {
  if (impl_->acceptor) impl_->acceptor->close();
}
void WebServer::stop() { close(); }

void WebServer::on(const String &uri, THandlerFunction fn) { on(uri, HTTP_ANY, std::move(fn)); }
void WebServer::on(const String &uri, HTTPMethod method, THandlerFunction fn) {
  impl_->routes.push_back({uri.c_str(), method, std::move(fn)});
}
void WebServer::onNotFound(THandlerFunction fn) { impl_->not_found = std::move(fn); }

String WebServer::uri() { return String(impl_->path); }
HTTPMethod WebServer::method() {
  if (!impl_->current) return HTTP_ANY;
  return impl_->current->request.method() == http::verb::post ? HTTP_POST : HTTP_GET;
}
String WebServer::arg(String name) {
  for (const auto &[k, v] : impl_->args) {
    if (k == name.c_str()) return String(v);
  }
  return String();
}
bool WebServer::hasArg(String name) {
  for (const auto &[k, v] : impl_->args) {
    if (k == name.c_str()) return true;
  }
  return false;
}
int WebServer::args() { return (int)impl_->args.size(); }
String WebServer::header(String name) {
  if (!impl_->current) return String();
  return String(std::string(impl_->current->request[name.c_str()]));
}

void WebServer::send(int code, const char *content_type, const String &content) {
  impl_->respond(code, content_type ? content_type : "", content.str());
}
void WebServer::send(int code, char *content_type, const String &content) { send(code, (const char *)content_type, content); }
void WebServer::send(int code, const String &content_type, const String &content) { send(code, content_type.c_str(), content); }
void WebServer::send(int code, const char *content_type, const char *content) { send(code, content_type, String(content)); }
void WebServer::send_P(int code, PGM_P content_type, PGM_P content) { send(code, content_type, String(content)); }
void WebServer::send_P(int code, PGM_P content_type, PGM_P content, size_t contentLength) {
  impl_->respond(code, content_type ? content_type : "", std::string(content, contentLength));
}
void WebServer::sendHeader(const String &name, const String &value, bool first) {
  if (first) impl_->extra_headers.insert(impl_->extra_headers.begin(), {name.c_str(), value.c_str()});
  else impl_->extra_headers.emplace_back(name.c_str(), value.c_str());
}
