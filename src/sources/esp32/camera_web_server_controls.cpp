#include "sources/esp32/camera_web_server_controls.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "core/text.hpp"
#include "sources/pull/beast.hpp"

namespace wscam::esp32 {

using namespace wscam::pull;

struct camera_web_server_controls::impl {
    net::any_io_executor executor;
    std::shared_ptr<stream> hub;
    network_url base;
    mutable std::mutex mutex;
    std::vector<control_info> list;  // under mutex: read by viewers' threads
    // The rest only on `executor`'s thread.
    framesize_numbering numbering = framesize_numbering::current;
    bool offered = false;       // we are the stream's controllable
    bool reported_absent = false;
    int in_flight = 0;
    bool detached = false;

    std::string where() const { return base.redacted(); }

    /** One GET with a deadline: the status code and body (at most 64 KiB). */
    awaitable<std::pair<unsigned, std::string>> get(const std::string& target) {
        beast::tcp_stream stream(co_await net::this_coro::executor);
        stream.expires_after(request_timeout);
        tcp::resolver resolver(co_await net::this_coro::executor);
        auto endpoints = co_await resolver.async_resolve(base.host, std::to_string(base.port), use_awaitable);
        co_await stream.async_connect(endpoints, use_awaitable);
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, base.host_header());
        req.set(http::field::user_agent, "wscam");
        req.set(http::field::connection, "close");
        if (!base.user.empty()) req.set(http::field::authorization, basic_auth(base));
        co_await http::async_write(stream, req, use_awaitable);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(64 * 1024);
        co_await http::async_read(stream, buffer, parser, use_awaitable);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        std::pair<unsigned, std::string> response{parser.get().result_int(), std::move(parser.get().body())};
        co_return response;
    }

    std::string path() const { return base.target.substr(0, base.target.find('?')); }

    /** Why a request failed, for the viewer who asked. */
    static std::string failure(const std::exception& e) {
        if (const auto* se = dynamic_cast<const boost::system::system_error*>(&e); se && se->code() == beast::error::timeout)
            return "the board did not answer within " + std::to_string(request_timeout.count()) + " s";
        return sanitize_text(e.what(), 200);
    }

    /**
     * Reads /status and brings the list (and viewers) up to date; false when it is no
     * CameraWebServer. `answering` is a control whose change is being answered: the hub tells
     * viewers its value with the answer, so it is not announced twice.
     */
    awaitable<bool> update_from_status(const std::shared_ptr<camera_web_server_controls>& self,
                                       std::string answering = {}) {
        // Locals, not temporaries, around co_await: GCC 12 miscompiles some (structured bindings, ?:).
        const std::string target = api_target(path(), "status");
        auto response = co_await get(target);
        const unsigned code = response.first;
        const std::string body = std::move(response.second);
        if (code != 200) throw std::runtime_error("its /status answered HTTP " + std::to_string(code));
        // Which numbering of frame sizes: from what the board reports and the frames it sends.
        const auto info = hub->info();
        auto reading = esp32::read_status(body, numbering);
        // read_status keeps only values within +-1e6: the cast below fits.
        if (const auto* fs = find_control(reading.controls, "framesize"); fs && info.width && info.height)
            if (auto n = guess_numbering(static_cast<int>(fs->value), info.width, info.height); n && *n != numbering) {
                numbering = *n;
                reading = esp32::read_status(body, numbering);  // labelled for this firmware
            }
        if (!reading.is_camera_web_server) {
            if (!reported_absent)
                spdlog::info("stream={} no CameraWebServer control API at {}: {}", hub->name(), where(), reading.why_not);
            reported_absent = true;
            co_return false;
        }
        std::vector<std::pair<std::string, double>> changed;
        bool same_set = false;
        {
            std::lock_guard lock(mutex);
            same_set = list.size() == reading.controls.size();
            for (std::size_t i = 0; same_set && i < list.size(); ++i) {
                same_set = list[i].id == reading.controls[i].id && list[i].options.size() == reading.controls[i].options.size() &&
                           (list[i].options.empty() || list[i].options.front().label == reading.controls[i].options.front().label);
                if (same_set && list[i].value != reading.controls[i].value)
                    changed.emplace_back(list[i].id, reading.controls[i].value);
            }
            list = std::move(reading.controls);
        }
        if (!offered) {
            offered = true;
            spdlog::info("stream={} camera controls found: CameraWebServer at {}", hub->name(), where());
            hub->set_controllable(self);  // every viewer gets the list
        } else if (!same_set) {
            hub->controls_changed();
        } else {
            for (const auto& [id, value] : changed)
                if (id != answering) hub->control_changed(id, value);
        }
        co_return true;
    }

    awaitable<void> refresh(std::shared_ptr<camera_web_server_controls> self) {
        try {
            co_await update_from_status(self);
        } catch (const std::exception& e) {
            if (!reported_absent)
                spdlog::info("stream={} no CameraWebServer control API at {}: {}", hub->name(), where(), failure(e));
            reported_absent = true;
        }
    }

    awaitable<void> set(std::shared_ptr<camera_web_server_controls> self, std::string id, double value,
                        control_callback done) {
        control_result result;
        try {
            const std::string target = control_target(path(), id, value);
            auto response = co_await get(target);
            const unsigned code = response.first;
            if (code == 200) {
                // What is in effect now (a framesize change is ignored outside JPEG mode, say).
                double in_effect = value;
                try {
                    co_await update_from_status(self, id);
                    std::lock_guard lock(mutex);
                    if (const auto* c = find_control(list, id)) in_effect = c->value;
                } catch (const std::exception&) {
                }
                result = control_result::applied(in_effect);
            } else {
                result = control_result::failed(id + "=" + control_value_text(value) +
                                                ": the board refused it (HTTP " + std::to_string(code) + ")");
            }
        } catch (const std::exception& e) {
            result = control_result::failed(id + ": " + failure(e));
        }
        --in_flight;
        done(result);
        if (result.ok && id == "framesize") {
            // Frames of the new size arrive a moment later: relabel the sizes from them.
            net::steady_timer timer(executor, std::chrono::milliseconds(1500));
            co_await timer.async_wait(use_awaitable);
            if (!detached) co_await refresh(self);
        }
    }
};

camera_web_server_controls::camera_web_server_controls(const net::any_io_executor& executor,
                                                       std::shared_ptr<stream> hub, network_url base)
    : impl_(std::make_unique<impl>()) {
    impl_->executor = executor;
    impl_->hub = std::move(hub);
    impl_->base = std::move(base);
}

camera_web_server_controls::~camera_web_server_controls() = default;

std::vector<control_info> camera_web_server_controls::controls() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->list;
}

void camera_web_server_controls::set_control(const std::string& id, double value, control_callback done) {
    // From a viewer's thread: the request runs on the pull source's thread.
    net::post(impl_->executor, [self = shared_from_this(), id, value, done = std::move(done)]() mutable {
        auto& i = *self->impl_;
        if (i.detached) return done(control_result::failed("the camera is gone"));
        if (i.in_flight >= max_in_flight)
            return done(control_result::failed(id + ": the board is still busy with earlier changes, try again"));
        ++i.in_flight;
        net::co_spawn(i.executor, i.set(self, id, value, std::move(done)), net::detached);
    });
}

void camera_web_server_controls::refresh() {
    net::post(impl_->executor, [self = shared_from_this()] {
        if (self->impl_->detached) return;
        net::co_spawn(self->impl_->executor, self->impl_->refresh(self), net::detached);
    });
}

void camera_web_server_controls::detach() {
    impl_->hub->clear_controllable(this);
    net::post(impl_->executor, [self = shared_from_this()] { self->impl_->detached = true; });
}

std::optional<network_url> control_base_for(const network_url& stream, std::string* error) {
    if (stream.scheme != "http" && stream.scheme != "https") return std::nullopt;
    if (const auto option = stream.fragment_option("control")) {
        const auto& value = *option;
        if (value == "none") return std::nullopt;
        auto url = parse_network_url(value, error);
        if (url && url->scheme != "http") {
            if (error) *error = "#control=" + url->redacted() + ": the control API is spoken over http://";
            return std::nullopt;
        }
        return url;
    }
    network_url base = stream;
    base.scheme = "http";
    base.port = 80;
    base.target = "/";
    base.fragment.clear();
    return base;
}

}  // namespace wscam::esp32
