// The ESP32 tutorial's warm-up step, done without blocking: an HTTP page on one port and a
// counter that the server increments every second and sends to every connected WebSocket
// client as a text message. The tutorial's sketch loops forever inside its connect handler,
// so it serves one client and nothing else; here a timer drives the count and any number of
// clients share it.
//
//   counter_server [--port 8081] [--listen 127.0.0.1]   then open http://HOST:PORT/
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <deque>
#include <memory>
#include <set>
#include <string>

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr const char* page = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>wscam counter</title>
<style>body{font:2rem system-ui,sans-serif;background:#111;color:#eee;display:grid;place-items:center;height:100vh;margin:0}</style>
</head><body><div>counter: <span id="counter">–</span></div>
<script>
const el = document.getElementById('counter');
function connect() {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  ws.onmessage = (e) => { el.textContent = e.data; };
  ws.onclose = () => setTimeout(connect, 1000);
}
connect();
</script></body></html>
)";

class counter_session;

/** Everyone connected, and the count they all see. Single-threaded: no locks. */
struct counter_state {
    std::set<counter_session*> sessions;
    std::uint64_t count = 0;
};

class counter_session : public std::enable_shared_from_this<counter_session> {
public:
    counter_session(tcp::socket socket, counter_state& state) : ws_(std::move(socket)), state_(state) {}
    ~counter_session() { state_.sessions.erase(this); }

    void run(http::request<http::string_body> req) {
        ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
            if (ec) return;
            self->state_.sessions.insert(self.get());
            self->send(std::to_string(self->state_.count));
            self->do_read();
        });
    }

    void send(std::string text) {
        // Keep only the newest count if this client is slow: never a growing queue.
        if (queue_.size() >= 2) queue_.pop_back();
        queue_.push_back(std::move(text));
        if (queue_.size() == 1) do_write();
    }

private:
    void do_read() {
        ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;  // closed: the session ends when the last handler lets go
            self->buffer_.clear();
            self->do_read();
        });
    }

    void do_write() {
        ws_.text(true);
        ws_.async_write(net::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->queue_.pop_front();
            if (!self->queue_.empty()) self->do_write();
        });
    }

    websocket::stream<beast::tcp_stream> ws_;
    counter_state& state_;
    beast::flat_buffer buffer_;
    std::deque<std::string> queue_;
};

class http_connection : public std::enable_shared_from_this<http_connection> {
public:
    http_connection(tcp::socket socket, counter_state& state) : stream_(std::move(socket)), state_(state) {}

    void run() {
        stream_.expires_after(std::chrono::seconds(30));
        http::async_read(stream_, buffer_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return;
            self->on_request();
        });
    }

private:
    void on_request() {
        if (websocket::is_upgrade(req_)) {
            stream_.expires_never();
            std::make_shared<counter_session>(stream_.release_socket(), state_)->run(std::move(req_));
            return;
        }
        auto res = std::make_shared<http::response<http::string_body>>(
            req_.target() == "/" ? http::status::ok : http::status::not_found, req_.version());
        res->set(http::field::content_type, req_.target() == "/" ? "text/html; charset=utf-8" : "text/plain");
        res->body() = req_.target() == "/" ? page : "not found\n";
        res->keep_alive(req_.keep_alive());
        res->prepare_payload();
        http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
            if (ec || !res->keep_alive()) return;
            self->req_ = {};
            self->run();
        });
    }

    beast::tcp_stream stream_;
    counter_state& state_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> req_;
};

void do_accept(tcp::acceptor& acceptor, counter_state& state) {
    acceptor.async_accept([&](beast::error_code ec, tcp::socket socket) {
        if (!ec) std::make_shared<http_connection>(std::move(socket), state)->run();
        if (acceptor.is_open()) do_accept(acceptor, state);
    });
}

void tick(net::steady_timer& timer, counter_state& state) {
    timer.expires_at(timer.expiry() + std::chrono::seconds(1));
    timer.async_wait([&](beast::error_code ec) {
        if (ec) return;
        ++state.count;
        const auto text = std::to_string(state.count);
        for (auto* s : state.sessions) s->send(text);
        tick(timer, state);
    });
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"wscam counter demo: a page and a WebSocket counter shared by every client"};
    std::uint16_t port = 8081;
    std::string listen = "127.0.0.1";
    app.add_option("-p,--port", port, "Port (0 = any free port)")->capture_default_str();
    app.add_option("-l,--listen", listen, "Address to listen on")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    try {
        counter_state state;  // outlives ioc: destroying ioc destroys sessions, which leave state
        net::io_context ioc;
        tcp::acceptor acceptor(ioc, {net::ip::make_address(listen), port});
        do_accept(acceptor, state);
        net::steady_timer timer(ioc, std::chrono::steady_clock::now());
        tick(timer, state);
        net::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait([&](beast::error_code, int) { ioc.stop(); });
        std::printf("open http://%s:%u/\n", listen.c_str(), static_cast<unsigned>(acceptor.local_endpoint().port()));
        std::fflush(stdout);
        ioc.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "counter_server: %s\n", e.what());
        return 1;
    }
    return 0;
}
