#pragma once

// A small synchronous Beast WebSocket client for integration tests.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <string>
#include <vector>

namespace wscam::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct ws_message {
    bool text = false;
    std::vector<std::uint8_t> bytes;
    std::string as_string() const { return {bytes.begin(), bytes.end()}; }
};

class ws_client {
public:
    /** Connects to 127.0.0.1:port and upgrades on `target`, offering `subprotocol` if not empty. */
    ws_client(std::uint16_t port, const std::string& target = "/ws", const std::string& subprotocol = "",
              int receive_buffer = 0)
        : ws_(ioc_) {
        auto& sock = ws_.next_layer();
        sock.open(tcp::v4());
        if (receive_buffer) sock.set_option(net::socket_base::receive_buffer_size(receive_buffer));
        sock.connect({net::ip::make_address("127.0.0.1"), port});
        ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::request_type& req) {
            if (!subprotocol.empty()) req.set(http::field::sec_websocket_protocol, subprotocol);
        }));
        ws_.read_message_max(64 * 1024 * 1024);
        websocket::response_type res;
        ws_.handshake(res, "127.0.0.1:" + std::to_string(port), target);
        accepted_protocol_ = std::string(res[http::field::sec_websocket_protocol]);
    }

    ws_message read() {
        beast::flat_buffer buffer;
        ws_.read(buffer);
        ws_message m;
        m.text = ws_.got_text();
        const auto data = buffer.cdata();
        const auto* p = static_cast<const std::uint8_t*>(data.data());
        m.bytes.assign(p, p + data.size());
        return m;
    }

    /** Reads until a binary message arrives; text messages are collected in `texts`. */
    ws_message read_binary(std::vector<std::string>* texts = nullptr) {
        for (;;) {
            auto m = read();
            if (!m.text) return m;
            if (texts) texts->push_back(m.as_string());
        }
    }

    void send_text(const std::string& s) {
        ws_.text(true);
        ws_.write(net::buffer(s));
    }

    void close() {
        beast::error_code ec;
        ws_.close(websocket::close_code::normal, ec);
    }

    const std::string& accepted_protocol() const { return accepted_protocol_; }
    websocket::stream<tcp::socket>& stream() { return ws_; }

private:
    net::io_context ioc_;
    websocket::stream<tcp::socket> ws_;
    std::string accepted_protocol_;
};

/** One plain HTTP GET; returns status and body. */
inline std::pair<int, std::string> http_get(std::uint16_t port, const std::string& target) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect({net::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    return {static_cast<int>(res.result_int()), res.body()};
}

}  // namespace wscam::test
