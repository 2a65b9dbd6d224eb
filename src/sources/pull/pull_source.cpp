#include "sources/pull/pull_source.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "core/backoff.hpp"
#include "sources/coroutine_body.hpp"
#include "sources/esp32/camera_web_server_controls.hpp"
#include "sources/pull/camera_readers.hpp"

namespace wscam {
namespace {

using namespace pull;

/** Connects to the camera while someone watches, reads it, and reconnects after a failure. */
class pull_body : public coroutine_source::body {
public:
    // A fault outside a camera connection (caught there) restarts the source; stop()'s
    // cancellation ends whatever the connection waits for.
    pull_body(std::shared_ptr<stream> h, network_url u, intake_options o, const io_context_picker& io)
        : body(std::move(h), io, on_demand::yes, cancelled_by::interrupt_and_cancellation), url(std::move(u)), options(o),
          intake(hub, options.max_frame_bytes, options.max_frame_pixels) {
        // Only https:// and wss:// cameras need a TLS context: reading the system's CA store
        // costs tens of milliseconds, which 300 plain cameras would pay at every start.
        if (!url.tls()) return;
        tls.emplace(ssl::context::tls_client);
        tls->set_default_verify_paths();
        // #insecure: a board with a self-signed certificate. Still encrypted, but anyone on the
        // path could pose as the camera; said once in the log.
        tls->set_verify_mode(url.insecure() ? ssl::verify_none : ssl::verify_peer);
    }

    std::string describe() const override { return url.redacted(); }

private:
    void starting() override {
        announce_start("connecting", options.always_on, " (connects when someone watches)");
        if (url.tls() && url.insecure())
            spdlog::warn("stream={} #insecure: the camera's TLS certificate is not verified (anyone on the path could "
                         "pose as it)", hub->name());
        // HTTP cameras may be ESP32 CameraWebServers: their controls are looked for once frames flow.
        std::string error;
        if (url.scheme == "http" || url.scheme == "https") {
            if (auto base = esp32::control_base_for(url, &error))
                controls = std::make_shared<esp32::camera_web_server_controls>(loop.context().get_executor(), hub, std::move(*base));
            else if (!error.empty())
                spdlog::warn("stream={} {}", hub->name(), error);
        }
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

    awaitable<void> run() override {
        backoff retry(options.reconnect_initial, options.reconnect_max);
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
            co_await pause_until(std::chrono::steady_clock::now() + delay);
        }
    }

    void interrupt() override {
        beast::error_code ec;
        if (socket) socket->close(ec);
    }

    void on_stop() override {
        if (controls) controls->detach();
    }

    network_url url;
    std::shared_ptr<esp32::camera_web_server_controls> controls;  // an ESP32 CameraWebServer's, if found
    intake_options options;
    frame_intake intake;
    std::optional<ssl::context> tls;  // https:// and wss:// only
    std::uint64_t accepted_before = 0;
    tcp::socket* socket = nullptr;  // the camera connection's, while there is one; on the loop's thread
};

}  // namespace

pull_source::pull_source(std::shared_ptr<stream> hub, network_url url, intake_options options,
                         const io_context_picker& io)
    : coroutine_source(std::make_shared<pull_body>(std::move(hub), std::move(url), options, io)) {}

}  // namespace wscam
