#include "sources/pull/pull_source.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "core/backoff.hpp"
#include "sources/esp32/camera_web_server_controls.hpp"
#include "sources/pull/camera_readers.hpp"
#include "sources/source_loop.hpp"

namespace wscam {

using namespace pull;

struct pull_source::impl : std::enable_shared_from_this<impl> {
    impl(std::shared_ptr<frame_hub> h, network_url u, intake_options o, const io_context_picker& io)
        : hub(std::move(h)), url(std::move(u)), options(o), intake(hub, options.max_frame_bytes, options.max_frame_pixels),
          loop(io) {
        // Only https:// and wss:// cameras need a TLS context: reading the system's CA store
        // costs tens of milliseconds, which 300 plain cameras would pay at every start.
        if (!url.tls()) return;
        tls.emplace(ssl::context::tls_client);
        tls->set_default_verify_paths();
        // #insecure: a board with a self-signed certificate. Still encrypted, but anyone on the
        // path could pose as the camera; said once in the log.
        tls->set_verify_mode(url.insecure() ? ssl::verify_none : ssl::verify_peer);
    }

    awaitable<void> connect(beast::tcp_stream& stream) {
        auto executor = co_await net::this_coro::executor;
        tcp::resolver resolver(executor);
        stream.expires_after(options.stall_timeout);
        auto endpoints = co_await resolver.async_resolve(url.host, std::to_string(url.port), use_awaitable);
        socket = &stream.socket();  // for stop(): closing it ends whatever the reader waits for
        co_await stream.async_connect(endpoints, use_awaitable);
        stream.socket().set_option(tcp::no_delay(true));
    }

    /** Connects (TLS too for https:// and wss://) and reads the camera until the connection ends. */
    awaitable<void> connect_and_read(pull_connection& c) {
        auto executor = co_await net::this_coro::executor;
        const bool ws = url.scheme == "ws" || url.scheme == "wss";
        if (!url.tls()) {
            beast::tcp_stream stream(executor);
            co_await connect(stream);
            // Plain if/else: GCC 12 mishandles co_await on a conditional expression.
            if (ws)
                co_await read_ws_camera(stream, c);
            else
                co_await read_http_camera(stream, c);
        } else {
            tls_stream stream(executor, *tls);
            co_await connect(beast::get_lowest_layer(stream));
            if (!SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str()))
                throw std::runtime_error("TLS: cannot set server name");
            if (!url.insecure()) stream.set_verify_callback(ssl::host_name_verification(url.host));
            co_await stream.async_handshake(ssl::stream_base::client, use_awaitable);
            if (ws)
                co_await read_ws_camera(stream, c);
            else
                co_await read_http_camera(stream, c);
        }
    }

    awaitable<void> run() {
        backoff retry(options.reconnect_initial, options.reconnect_max);
        net::steady_timer timer(co_await net::this_coro::executor);
        const auto& name = hub->name();
        while (!stopping) {
            co_await demand->wait(stopping, options.always_on);
            if (stopping) break;
            pull_connection c{hub, intake, options, url, stopping};
            // A camera that (re)connects may have rebooted with its defaults: read its controls again.
            if (controls) c.on_first_frame = [c = controls] { c->refresh(); };
            c.last_frame = c.last_watched = std::chrono::steady_clock::now();
            std::string why;
            try {
                co_await connect_and_read(c);
                why = "camera closed the connection";
            } catch (const boost::system::system_error& e) {
                why = e.code() == beast::error::timeout ? "timed out" : e.code().message();
            } catch (const std::exception& e) {
                why = e.what();
            }
            socket = nullptr;
            if (stopping) break;
            if (c.went_idle) {
                spdlog::info("stream={} source idle: no viewers, disconnected from {}", name, url.redacted());
                continue;
            }
            if (c.reconnect_now) continue;
            // A connection that delivered frames was healthy: start the delays over.
            if (intake.accepted() != accepted_before) retry.reset();
            accepted_before = intake.accepted();
            const auto delay = retry.next();
            report_status(*hub, false, why + "; retrying in " + std::to_string(delay.count()) + " ms");
            timer.expires_after(delay);
            co_await timer.async_wait(use_awaitable);
        }
    }

    // A fault outside a camera connection (caught there) restarts the source; stop()'s
    // cancellation ends the pause.
    awaitable<void> supervise() {
        return wscam::supervise(*hub, stopping, [this] { return run(); }, [](std::chrono::milliseconds delay) -> awaitable<void> {
            net::steady_timer timer(co_await net::this_coro::executor, delay);
            boost::system::error_code ec;
            co_await timer.async_wait(net::redirect_error(use_awaitable, ec));
        });
    }

    std::shared_ptr<frame_hub> hub;
    network_url url;
    std::shared_ptr<esp32::camera_web_server_controls> controls;  // an ESP32 CameraWebServer's, if found
    intake_options options;
    frame_intake intake;
    std::optional<ssl::context> tls;  // https:// and wss:// only
    std::uint64_t accepted_before = 0;
    std::atomic<bool> stopping{false};
    bool started = false;
    source_loop loop;  // a server I/O context (or our own); destroyed after the members below
    std::shared_ptr<demand_waiter> demand = demand_waiter::make(loop, hub);
    tcp::socket* socket = nullptr;  // the camera connection's, while there is one; on the loop's thread
};

pull_source::pull_source(std::shared_ptr<frame_hub> hub, network_url url, intake_options options,
                         const io_context_picker& io)
    : impl_(std::make_shared<impl>(std::move(hub), std::move(url), options, io)) {}

pull_source::~pull_source() { stop(); }

void pull_source::start() {
    impl_->hub->set_info({0, 0, 0, describe()});
    impl_->hub->set_status(stream_status::down("connecting"));
    spdlog::info("stream={} source starting: {}{}", impl_->hub->name(), describe(),
                 impl_->options.always_on ? "" : " (connects when someone watches)");
    if (impl_->url.tls() && impl_->url.insecure())
        spdlog::warn("stream={} #insecure: the camera's TLS certificate is not verified (anyone on the path could "
                     "pose as it)", impl_->hub->name());
    // HTTP cameras may be ESP32 CameraWebServers: their controls are looked for once frames flow.
    std::string error;
    if (impl_->url.scheme == "http" || impl_->url.scheme == "https") {
        if (auto base = esp32::control_base_for(impl_->url, &error))
            impl_->controls = std::make_shared<esp32::camera_web_server_controls>(impl_->loop.context().get_executor(), impl_->hub,
                                                                                  std::move(*base));
        else if (!error.empty())
            spdlog::warn("stream={} {}", impl_->hub->name(), error);
    }
    impl_->demand->arm();
    // The coroutine owns the impl: if the server's context stops first, it goes with the context.
    impl_->loop.spawn([self = impl_]() { return self->supervise(); }, log_source_end(impl_->hub->name()));
    impl_->started = true;
}

void pull_source::stop() {
    if (!impl_->started || impl_->stopping.exchange(true)) return;
    if (impl_->controls) impl_->controls->detach();
    impl_->demand->disarm();
    impl_->loop.stop([self = impl_] {
        beast::error_code ec;
        if (self->socket) self->socket->close(ec);
        self->demand->cancel();
    });
}

std::string pull_source::describe() const { return impl_->url.redacted(); }

}  // namespace wscam
