#pragma once
// wscam-bench's MJPEG reader: GET /stream/<stream>.mjpg, then parts read as they come. Latency
// from each part's X-Timestamp (capture time; same host, so one clock), skipped frames from
// X-Sequence. Its own small parser on purpose: it checks the server, so it does not share code with it.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>

#include <charconv>
#include <memory>
#include <string>
#include <string_view>

#include "bench_client.hpp"

namespace wscam::bench {

class mjpeg_client : public std::enable_shared_from_this<mjpeg_client> {
public:
    mjpeg_client(worker& w, client_result& r, const options& o, tcp::endpoint ep, std::string host, std::string target,
                 bool slow)
        : w_(w), r_(r), o_(o), ep_(ep), host_(std::move(host)), target_(std::move(target)), slow_(slow), stream_(w.ioc),
          timer_(w.ioc) {}

    void start() {
        stream_.expires_after(std::chrono::seconds(10));
        if (slow_) {
            boost::beast::error_code ec;
            stream_.socket().open(tcp::v4(), ec);
            stream_.socket().set_option(net::socket_base::receive_buffer_size(16 * 1024), ec);
        }
        stream_.async_connect(ep_, [self = shared_from_this()](boost::beast::error_code ec) {
            if (ec) return self->fail("connect", ec);
            self->request_ = "GET " + self->target_ + " HTTP/1.1\r\nHost: " + self->host_ +
                             "\r\nUser-Agent: wscam-bench\r\n\r\n";
            net::async_write(self->stream_, net::buffer(self->request_),
                             [self](boost::beast::error_code ec, std::size_t) {
                                 if (ec) return self->fail("request", ec);
                                 self->do_read();
                             });
        });
    }

private:
    void fail(const std::string& what, boost::beast::error_code ec) {
        if (r_.failed || r_.connected) return;
        r_.error = what + ": " + ec.message();
        r_.failed = true;
    }

    void do_read() {
        const std::size_t want = slow_ ? 4096 : 64 * 1024;
        stream_.async_read_some(buf_.prepare(want), [self = shared_from_this()](boost::beast::error_code ec, std::size_t n) {
            self->buf_.commit(n);
            if (ec) return self->fail("read", ec);
            self->parse();
            if (!self->slow_) return self->do_read();
            const auto pause =
                std::chrono::microseconds(static_cast<std::int64_t>(static_cast<double>(n) * 8 * 1e6 / self->o_.slow_rate));
            self->timer_.expires_after(pause);
            self->timer_.async_wait([self](boost::beast::error_code) { self->do_read(); });
        });
    }

    static std::string_view header(std::string_view block, std::string_view name) {
        const auto at = block.find(name);
        if (at == std::string_view::npos) return {};
        const auto from = at + name.size();
        return block.substr(from, block.find("\r\n", from) - from);
    }

    void parse() {
        const auto bytes = buf_.cdata();
        std::string_view data(static_cast<const char*>(bytes.data()), bytes.size());
        std::size_t used = 0;
        while (true) {
            const std::string_view rest = data.substr(used);
            const auto end = rest.find("\r\n\r\n");
            if (end == std::string_view::npos) break;
            const auto block = rest.substr(0, end + 2);
            if (!r_.connected) {  // the response header
                if (block.rfind("HTTP/1.1 200", 0) != 0) {
                    r_.error = "response: " + std::string(block.substr(0, block.find("\r\n")));
                    r_.failed = true;
                    stream_.close();
                    return;
                }
                stream_.expires_never();
                r_.connected = true;
                r_.framed = true;
                used += end + 4;
                continue;
            }
            std::size_t length = 0;
            const auto cl = header(block, "Content-Length: ");
            std::from_chars(cl.data(), cl.data() + cl.size(), length);
            if (rest.size() < end + 4 + length + 2) break;  // the rest of the JPEG is still coming
            const auto ts = header(block, "X-Timestamp: ");
            const auto seq = header(block, "X-Sequence: ");
            std::uint64_t sequence = 0;
            std::from_chars(seq.data(), seq.data() + seq.size(), sequence);
            std::optional<std::int64_t> capture_us;
            if (o_.stamp)
                capture_us = sent_stamp(reinterpret_cast<const std::uint8_t*>(rest.data() + end + 4), length);
            else if (!ts.empty())
                capture_us = static_cast<std::int64_t>(std::stod(std::string(ts)) * 1e6);
            record_frame(w_, r_, seq_, slow_, end + 4 + length + 2, sequence, capture_us);
            used += end + 4 + length + 2;
        }
        buf_.consume(used);
    }

    worker& w_;
    client_result& r_;
    const options& o_;
    tcp::endpoint ep_;
    std::string host_, target_;
    bool slow_;
    boost::beast::tcp_stream stream_;
    net::steady_timer timer_;
    std::string request_;
    boost::beast::flat_buffer buf_;
    sequence_tracker seq_;
};

}  // namespace wscam::bench
