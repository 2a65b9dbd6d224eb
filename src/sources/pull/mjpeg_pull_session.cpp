// HTTP pull: multipart MJPEG (ESP32 CameraWebServer's /stream, mjpg-streamer, ffmpeg's mpjpeg,
// ...) or a single JPEG per request (a /capture endpoint) polled at fps.
#include <spdlog/spdlog.h>

#include <exception>
#include <functional>
#include <span>

#include "codec/mjpeg_splitter.hpp"
#include "codec/multipart_parser.hpp"
#include "core/frame_pacer.hpp"
#include "sources/pull/pull_session.hpp"

namespace wscam::pull {
namespace {

// The read buffer: one read takes whatever has arrived, up to this. Beast reads at most the
// buffer's free capacity (and at least 512 bytes), so a buffer left at the size the response
// header needed read a QVGA frame in ~18 reads of 512 bytes (callgrind, docs/PERFORMANCE.md).
constexpr std::size_t read_capacity = 64 * 1024;

/**
 * An HTTP body that is not stored: the parser hands each piece of it, straight from the read
 * buffer, to `sink` (a multipart stream never ends; a body buffer in between was one more
 * copy of every frame and 64 KiB per camera). The sink runs inside Beast's read operation,
 * where an exception must not escape: it is kept and the read ends with an error; the session
 * rethrows it.
 */
struct sink_body {
    struct value_type {
        std::function<void(std::span<const std::uint8_t>)> sink;
        std::exception_ptr error;
    };

    class reader {
    public:
        template <bool isRequest, class Fields>
        reader(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

        void init(const boost::optional<std::uint64_t>&, beast::error_code& ec) { ec = {}; }

        template <class ConstBufferSequence>
        std::size_t put(const ConstBufferSequence& buffers, beast::error_code& ec) {
            ec = {};
            std::size_t used = 0;
            for (const auto b : beast::buffers_range_ref(buffers)) {
                try {
                    if (body_.sink) body_.sink({static_cast<const std::uint8_t*>(b.data()), b.size()});
                } catch (...) {
                    body_.error = std::current_exception();
                    ec = net::error::operation_aborted;
                    return used;
                }
                used += b.size();
            }
            return used;
        }

        void finish(beast::error_code& ec) { ec = {}; }

    private:
        value_type& body_;
    };
};

template <class Stream>
awaitable<void> run_http_impl(Stream& stream, context& ctx) {
    auto& lowest = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    buffer.reserve(read_capacity);
    frame_pacer pacer(ctx.options.fps, std::chrono::steady_clock::now());
    net::steady_timer timer(co_await net::this_coro::executor);

    for (;;) {  // one request per turn: a multipart stream never ends; single JPEGs repeat
        http::request<http::empty_body> req{http::verb::get, ctx.url.target, 11};
        req.set(http::field::host, ctx.url.host_header());
        req.set(http::field::user_agent, "wscam");
        req.set(http::field::accept, "multipart/x-mixed-replace, image/jpeg");
        if (!ctx.url.user.empty()) req.set(http::field::authorization, basic_auth(ctx.url));
        lowest.expires_after(ctx.options.stall_timeout);
        co_await http::async_write(stream, req, use_awaitable);

        http::response_parser<sink_body> parser;
        parser.body_limit(boost::none);  // a stream is endless; parts are capped by the parsers
        parser.header_limit(16 * 1024);
        co_await http::async_read_header(stream, buffer, parser, use_awaitable);
        const auto& res = parser.get();
        if (res.result() != http::status::ok)
            throw std::runtime_error("HTTP " + std::to_string(res.result_int()) + " " + std::string(res.reason()) +
                                     (res.result() == http::status::unauthorized ? " (check the user:password in the URL)" : ""));
        const std::string content_type(res[http::field::content_type]);
        const auto boundary = multipart_parser::boundary_from_content_type(content_type);
        const bool single = !boundary && content_type.find("image/jpeg") != std::string::npos;
        if (content_type.find("text/html") != std::string::npos)
            throw std::runtime_error("got an HTML page, not a stream: is " + ctx.url.redacted() +
                                     " the camera's web page rather than its stream URL (often :81/stream)?");
        // Neither multipart nor a JPEG (e.g. application/octet-stream): find the JPEGs by their markers.
        const bool sniff = !boundary && !single;

        std::vector<std::uint8_t> whole;  // single-JPEG mode
        multipart_parser parts(boundary.value_or("-"), ctx.options.max_frame_bytes,
                               [&](std::span<const std::uint8_t> body, const part_headers&) { ctx.offer(body); });
        mjpeg_splitter splitter(ctx.options.max_frame_bytes, [&](std::span<const std::uint8_t> jpeg) { ctx.offer(jpeg); });
        auto& body = parser.get().body();
        if (single)
            body.sink = [&](std::span<const std::uint8_t> bytes) {
                if (whole.size() + bytes.size() > ctx.options.max_frame_bytes)
                    throw std::runtime_error("JPEG larger than --max-frame-bytes");
                whole.insert(whole.end(), bytes.begin(), bytes.end());
            };
        else if (sniff)
            body.sink = [&](std::span<const std::uint8_t> bytes) { splitter.feed(bytes); };
        else
            body.sink = [&](std::span<const std::uint8_t> bytes) { parts.feed(bytes); };
        // Eager: one put() parses all that arrived (chunk headers and data alike), not one piece
        // of the chunked encoding per call. Only now: the header read had to stop at the header.
        parser.eager(true);

        // The read loop of http::async_read_some, with one difference: it reads from the socket
        // once and parses everything that came, then returns to us. (async_read_some, eager,
        // would go on reading while the data ends inside a chunk header, as it does after every
        // chunk of a stream: it never returned; not eager, it returned after every chunk header
        // and every piece of chunk data, several times per frame.)
        for (;;) {
            while (buffer.size() > 0 && !parser.is_done()) {
                beast::error_code ec;
                const auto used = parser.put(buffer.data(), ec);
                buffer.consume(used);
                if (body.error) std::rethrow_exception(body.error);
                if (ec == http::error::need_more) break;
                if (ec) throw boost::system::system_error(ec);
                if (used == 0) break;  // nothing it can take without more bytes
            }
            if (parser.is_done()) break;
            if (!single) {
                ctx.check_stall();
                if (ctx.idle()) {
                    ctx.went_idle = true;
                    co_return;
                }
            }
            // What the parser could not take yet is at most a chunk header and a line end: Beast
            // sets no bound on a chunk header's length, so an endless one must not grow the buffer.
            if (buffer.size() >= read_capacity)
                throw std::runtime_error("the camera sent " + std::to_string(buffer.size()) +
                                         " bytes of HTTP framing without a line end (a chunk header that never ends)");
            lowest.expires_after(ctx.options.stall_timeout);
            // Whatever has arrived, not a full buffer: a frame must not wait for later frames'
            // bytes (issue 9: 0.2–0.8 s).
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(beast::read_size(buffer, read_capacity)),
                                                           net::as_tuple(use_awaitable));
            buffer.commit(n);
            if (ec == net::error::eof) {
                if (!parser.got_some()) throw boost::system::system_error(http::error::end_of_stream);
                beast::error_code eof_ec;
                parser.put_eof(eof_ec);
                if (body.error) std::rethrow_exception(body.error);
                if (eof_ec) throw boost::system::system_error(eof_ec);
                break;
            }
            if (ec) throw boost::system::system_error(ec);
        }
        if (!single) throw std::runtime_error("camera ended the stream");

        ctx.offer(whole);
        if (ctx.idle()) {
            ctx.went_idle = true;
            co_return;
        }
        ctx.check_stall();
        // Poll at fps; the next request goes on the same connection when the camera keeps it alive.
        pacer.advance(std::chrono::steady_clock::now());
        timer.expires_at(pacer.next_deadline());
        co_await timer.async_wait(use_awaitable);
        if (!parser.get().keep_alive()) {
            ctx.reconnect_now = true;
            co_return;
        }
    }
}

}  // namespace

awaitable<void> run_http(beast::tcp_stream& stream, context& ctx) { return run_http_impl(stream, ctx); }
awaitable<void> run_http(tls_stream& stream, context& ctx) { return run_http_impl(stream, ctx); }

}  // namespace wscam::pull
