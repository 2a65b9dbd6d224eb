// HTTP pull: multipart MJPEG (ESP32 CameraWebServer's /stream, mjpg-streamer, ffmpeg's mpjpeg,
// ...) or a single JPEG per request (a /capture endpoint) polled at fps.
#include <spdlog/spdlog.h>

#include "codec/mjpeg_splitter.hpp"
#include "codec/multipart_parser.hpp"
#include "core/frame_pacer.hpp"
#include "sources/pull_session.hpp"

namespace wscam::pull {
namespace {

constexpr std::size_t read_chunk = 64 * 1024;

template <class Stream>
awaitable<void> run_http_impl(Stream& stream, context& ctx) {
    auto& lowest = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    std::vector<char> chunk(read_chunk);
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

        http::response_parser<http::buffer_body> parser;
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
                               [&](std::vector<std::uint8_t>&& body, const part_headers&) { ctx.offer(body); });
        mjpeg_splitter splitter(ctx.options.max_frame_bytes, [&](std::vector<std::uint8_t>&& jpeg) { ctx.offer(jpeg); });

        while (!parser.is_done()) {
            parser.get().body().data = chunk.data();
            parser.get().body().size = chunk.size();
            lowest.expires_after(ctx.options.stall_timeout);
            // read_some, not read: async_read on a buffer_body returns only once the chunk is
            // full, so a frame would wait for 64 KiB of later frames (issue 9: 0.2–0.8 s).
            // read_some returns as soon as the parser has taken what arrived.
            auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, net::as_tuple(use_awaitable));
            if (ec == http::error::need_buffer) ec = {};
            if (ec) throw boost::system::system_error(ec);
            const std::size_t got = chunk.size() - parser.get().body().size;
            const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(chunk.data()), got);
            if (single) {
                if (whole.size() + got > ctx.options.max_frame_bytes)
                    throw std::runtime_error("JPEG larger than --max-frame-bytes");
                whole.insert(whole.end(), bytes.begin(), bytes.end());
            } else {
                if (sniff)
                    splitter.feed(bytes);
                else
                    parts.feed(bytes);
                ctx.check_stall();
                if (ctx.idle()) {
                    ctx.went_idle = true;
                    co_return;
                }
            }
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
