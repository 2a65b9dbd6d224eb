// HTTP pull: multipart MJPEG (ESP32 CameraWebServer's /stream, mjpg-streamer, ffmpeg's mpjpeg,
// ...) or a single JPEG per request (a /capture endpoint) polled at fps.
#include <spdlog/spdlog.h>

#include <exception>
#include <functional>
#include <optional>
#include <span>

#include "codec/mjpeg_splitter.hpp"
#include "codec/multipart_parser.hpp"
#include "core/frame_pacer.hpp"
#include "sources/pull/camera_readers.hpp"
#include "sources/pull/sink_body.hpp"

namespace wscam::pull {
namespace {

// The read buffer: one read takes whatever has arrived, up to this. Beast reads at most the
// buffer's free capacity (and at least 512 bytes), so a buffer left at the size the response
// header needed read a QVGA frame in ~18 reads of 512 bytes (callgrind, docs/PERFORMANCE.md).
constexpr std::size_t read_capacity = 64 * 1024;

using response_parser = http::response_parser<sink_body>;

/** How the frames are found in a response's body, from its Content-Type. */
struct body_framing {
    std::optional<std::string> boundary;  // multipart/x-mixed-replace: one JPEG a part
    bool single = false;                  // image/jpeg: one JPEG; the request is repeated at fps
    // Neither (e.g. application/octet-stream): the JPEGs are found by their markers.
    bool sniffed() const { return !boundary && !single; }
};

template <class Stream>
awaitable<void> send_request(Stream& stream, pull_connection& c) {
    http::request<http::empty_body> req{http::verb::get, c.url.target, 11};
    req.set(http::field::host, c.url.host_header());
    req.set(http::field::user_agent, "wscam");
    req.set(http::field::accept, "multipart/x-mixed-replace, image/jpeg");
    if (!c.url.user.empty()) req.set(http::field::authorization, basic_auth(c.url));
    beast::get_lowest_layer(stream).expires_after(c.options.stall_timeout);
    co_await http::async_write(stream, req, use_awaitable);
}

/** Throws, with a hint, for an answer that is not a stream of JPEGs; else how its body holds them. */
body_framing framing_of(const http::response_header<>& res, const pull_connection& c) {
    if (res.result() != http::status::ok)
        throw std::runtime_error("HTTP " + std::to_string(res.result_int()) + " " + std::string(res.reason()) +
                                 (res.result() == http::status::unauthorized ? " (check the user:password in the URL)" : ""));
    const std::string content_type(res[http::field::content_type]);
    body_framing f;
    f.boundary = multipart_parser::boundary_from_content_type(content_type);
    f.single = !f.boundary && content_type.find("image/jpeg") != std::string::npos;
    if (content_type.find("text/html") != std::string::npos)
        throw std::runtime_error("got an HTML page, not a stream: is " + c.url.redacted() +
                                 " the camera's web page rather than its stream URL (often :81/stream)?");
    return f;
}

/**
 * Reads the body into the parser (whose sink takes the frames) until it is done, the camera
 * closes the connection, or (a stream) it stalls or nobody watches. False when nobody watched.
 *
 * The read loop of http::async_read_some, with one difference: it reads from the socket once
 * and parses everything that came, then returns to us. (async_read_some, eager, would go on
 * reading while the data ends inside a chunk header, as it does after every chunk of a stream:
 * it never returned; not eager, it returned after every chunk header and every piece of chunk
 * data, several times per frame.)
 */
template <class Stream>
awaitable<bool> read_body(Stream& stream, beast::flat_buffer& buffer, response_parser& parser, bool single,
                          pull_connection& c) {
    auto& body = parser.get().body();
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
        if (parser.is_done()) co_return true;
        if (!single) {
            c.check_stall();
            if (c.idle()) {
                c.went_idle = true;
                co_return false;
            }
        }
        // What the parser could not take yet is at most a chunk header and a line end: Beast
        // sets no bound on a chunk header's length, so an endless one must not grow the buffer.
        if (buffer.size() >= read_capacity)
            throw std::runtime_error("the camera sent " + std::to_string(buffer.size()) +
                                     " bytes of HTTP framing without a line end (a chunk header that never ends)");
        beast::get_lowest_layer(stream).expires_after(c.options.stall_timeout);
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
            co_return true;
        }
        if (ec) throw boost::system::system_error(ec);
    }
}

template <class Stream>
awaitable<void> read_http_camera_on(Stream& stream, pull_connection& c) {
    beast::flat_buffer buffer;
    buffer.reserve(read_capacity);
    frame_pacer pacer(c.options.fps, std::chrono::steady_clock::now());
    net::steady_timer timer(co_await net::this_coro::executor);

    for (;;) {  // one request per turn: a multipart stream never ends; single JPEGs repeat
        co_await send_request(stream, c);
        response_parser parser;
        parser.body_limit(boost::none);  // a stream is endless; parts are capped by the parsers
        parser.header_limit(16 * 1024);
        co_await http::async_read_header(stream, buffer, parser, use_awaitable);
        const auto framing = framing_of(parser.get().base(), c);
        const bool single = framing.single;

        std::vector<std::uint8_t> whole;  // single-JPEG mode
        multipart_parser parts(framing.boundary.value_or("-"), c.options.max_frame_bytes,
                               [&](std::span<const std::uint8_t> body, const part_headers&) { c.offer(body); });
        mjpeg_splitter splitter(c.options.max_frame_bytes, [&](std::span<const std::uint8_t> jpeg) { c.offer(jpeg); });
        auto& body = parser.get().body();
        if (single)
            body.sink = [&](std::span<const std::uint8_t> bytes) {
                if (whole.size() + bytes.size() > c.options.max_frame_bytes)
                    throw std::runtime_error("JPEG larger than --max-frame-bytes");
                whole.insert(whole.end(), bytes.begin(), bytes.end());
            };
        else if (framing.sniffed())
            body.sink = [&](std::span<const std::uint8_t> bytes) { splitter.feed(bytes); };
        else
            body.sink = [&](std::span<const std::uint8_t> bytes) { parts.feed(bytes); };
        // Eager: one put() parses all that arrived (chunk headers and data alike), not one piece
        // of the chunked encoding per call. Only now: the header read had to stop at the header.
        parser.eager(true);

        const bool watched = co_await read_body(stream, buffer, parser, single, c);
        if (!watched) co_return;
        if (!single) throw std::runtime_error("camera ended the stream");

        c.offer(whole);
        if (c.idle()) {
            c.went_idle = true;
            co_return;
        }
        c.check_stall();
        // Poll at fps; the next request goes on the same connection when the camera keeps it alive.
        pacer.advance(std::chrono::steady_clock::now());
        timer.expires_at(pacer.next_deadline());
        co_await timer.async_wait(use_awaitable);
        if (!parser.get().keep_alive()) {
            c.reconnect_now = true;
            co_return;
        }
    }
}

}  // namespace

awaitable<void> read_http_camera(beast::tcp_stream& stream, pull_connection& c) { return read_http_camera_on(stream, c); }
awaitable<void> read_http_camera(tls_stream& stream, pull_connection& c) { return read_http_camera_on(stream, c); }

}  // namespace wscam::pull
