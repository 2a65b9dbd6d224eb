#include "events/webhook_output.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "core/hmac.hpp"
#include "core/text.hpp"
#include "events/viewer_notices.hpp"
#include "net/beast.hpp"
#include "sources/network_url.hpp"

namespace wscam::events {

std::string webhook_signature(const std::string& secret, const std::string& body) { return "sha256=" + hmac_sha256_hex(secret, body); }

namespace {

struct delivery {
    std::string body;
    std::string id;  // X-Wscam-Delivery
};

/** Why an attempt failed, or nothing: it was delivered. */
using outcome = std::optional<std::string>;

}  // namespace

struct webhook_output::impl {
    explicit impl(const webhook_settings& s) : settings(s), url(*parse_network_url(s.url)) {
        if (url.tls()) {
            tls.set_default_verify_paths();
            tls.set_verify_mode(ssl::verify_peer);
        }
        thread = std::jthread([this] { ioc.run(); });
    }
    ~impl() {
        work.reset();
        ioc.stop();
    }

    const webhook_settings& settings;
    network_url url;
    ssl::context tls{ssl::context::tls_client};  // before the context: a coroutine left in it may hold a TLS stream
    net::io_context ioc;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work{ioc.get_executor()};
    mutable std::mutex mutex;
    std::deque<delivery> waiting;  // under mutex
    std::size_t running = 0;       // under mutex
    webhook_stats stats;           // under mutex
    bool failing = false;          // under mutex
    std::uint64_t given_up = 0;    // under mutex: events given up since it began failing
    std::jthread thread;           // last

    /** Takes the next waiting delivery if fewer than max_parallel run (mutex held). */
    void start_next() {
        while (running < max_parallel && !waiting.empty()) {
            ++running;
            net::co_spawn(ioc, send(std::move(waiting.front())), net::detached);
            waiting.pop_front();
        }
    }

    net::awaitable<outcome> attempt(const delivery& d) {
        auto ex = co_await net::this_coro::executor;
        tcp::resolver resolver(ex);
        beast::tcp_stream stream(ex);
        // One deadline for all of it: the name lookup too (the stream's own timeout starts at connect).
        net::steady_timer deadline(ex, settings.timeout);
        bool timed_out = false;
        deadline.async_wait([&](const beast::error_code& ec) {
            if (ec) return;
            timed_out = true;
            resolver.cancel();
            beast::error_code ignored;
            stream.socket().close(ignored);
        });
        try {
            const auto found = co_await resolver.async_resolve(url.host, std::to_string(url.port), net::use_awaitable);
            co_await stream.async_connect(found, net::use_awaitable);
            http::request<http::string_body> req{http::verb::post, url.target, 11};
            req.set(http::field::host, url.host_header());
            req.set(http::field::user_agent, "wscam/" + settings.version);
            req.set(http::field::content_type, "application/json");
            req.set("X-Wscam-Event", "motion");
            req.set("X-Wscam-Delivery", d.id);
            if (!settings.secret.empty()) req.set("X-Wscam-Signature-256", webhook_signature(settings.secret, d.body));
            if (!url.user.empty()) req.set(http::field::authorization, basic_auth(url));
            req.body() = d.body;
            req.prepare_payload();
            http::response_parser<http::string_body> parser;
            parser.body_limit(64 * 1024);  // the answer is read only for its status
            beast::flat_buffer buffer;
            if (url.tls()) {
                beast::ssl_stream<beast::tcp_stream&> secure(stream, tls);
                if (!SSL_set_tlsext_host_name(secure.native_handle(), url.host.c_str())) co_return std::string("TLS: cannot set the host name");
                secure.set_verify_callback(ssl::host_name_verification(url.host));
                co_await secure.async_handshake(ssl::stream_base::client, net::use_awaitable);
                co_await http::async_write(secure, req, net::use_awaitable);
                co_await http::async_read(secure, buffer, parser, net::use_awaitable);
            } else {
                co_await http::async_write(stream, req, net::use_awaitable);
                co_await http::async_read(stream, buffer, parser, net::use_awaitable);
            }
            deadline.cancel();
            const auto status = parser.get().result_int();
            if (status >= 200 && status < 300) co_return std::nullopt;
            // The reason phrase is the receiver's text: sanitised, and short.
            co_return "answered " + std::to_string(status) + " " + sanitize_text(std::string(parser.get().reason()).substr(0, 64));
        } catch (const boost::system::system_error& e) {
            deadline.cancel();
            if (timed_out) co_return "no answer within " + std::to_string(settings.timeout.count()) + " ms";
            co_return e.code().message();
        }
    }

    net::awaitable<void> send(delivery d) {
        const auto shown = url.redacted();
        outcome failure;
        for (int i = 0; i <= settings.retries; ++i) {
            if (i > 0) {
                net::steady_timer wait(co_await net::this_coro::executor, std::chrono::seconds(1) * (1 << std::min(i - 1, 5)));
                co_await wait.async_wait(net::use_awaitable);
            }
            failure = co_await attempt(d);
            std::lock_guard lock(mutex);
            if (!failure) {
                ++stats.delivered;
                // Once per change of state: what failed meanwhile is said when it works again.
                if (std::exchange(failing, false))
                    spdlog::info("webhook {}: delivering again ({} events given up meanwhile)", shown, std::exchange(given_up, 0));
                break;
            }
            if (!std::exchange(failing, true))
                spdlog::warn("webhook {}: {}; trying again (up to {} times an event)", shown, *failure, settings.retries);
        }
        std::lock_guard lock(mutex);
        if (failure) {
            ++stats.failed;
            if (given_up++ == 0) spdlog::warn("webhook {}: gave up on {} after {} attempts", shown, d.id, settings.retries + 1);
        }
        --running;
        start_next();
    }
};

webhook_output::webhook_output(webhook_settings settings) : settings_(std::move(settings)), impl_(std::make_unique<impl>(settings_)) {
    spdlog::info("webhook {}: events of {}{}", parse_network_url(settings_.url)->redacted(),
                 settings_.streams.empty() ? std::string("every stream") : fmt::format("{}", fmt::join(settings_.streams, ", ")),
                 settings_.secret.empty() ? " (unsigned: give it a secret)" : ", signed");
}

webhook_output::~webhook_output() = default;

void webhook_output::deliver(const notice& n) {
    if (!settings_.streams.empty() && std::find(settings_.streams.begin(), settings_.streams.end(), n.event.stream) == settings_.streams.end())
        return;
    delivery d{event_message(n), n.event.stream + "-" + std::to_string(n.event.id) + (n.change == change::started ? "-start" : "-end")};
    std::lock_guard lock(impl_->mutex);
    if (impl_->waiting.size() >= max_waiting) {
        if (impl_->stats.dropped++ == 0)
            spdlog::warn("webhook {}: too many events waiting, dropping ({} being delivered)", parse_network_url(settings_.url)->redacted(),
                         impl_->running);
        return;
    }
    impl_->waiting.push_back(std::move(d));
    net::post(impl_->ioc, [i = impl_.get()] {
        std::lock_guard lock(i->mutex);
        i->start_next();
    });
}

webhook_stats webhook_output::stats() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

}  // namespace wscam::events
