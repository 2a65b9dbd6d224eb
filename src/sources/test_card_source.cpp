#include "sources/test_card_source.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "codec/jpeg_codec.hpp"
#include "codec/test_card.hpp"
#include "core/frame_pacer.hpp"
#include "sources/coroutine_body.hpp"
#include "sources/render_pool.hpp"
#include "sources/source_status.hpp"

namespace wscam {

test_card_options test_card_options_from(const source_uri& uri, test_card_options o) {
    if (uri.scheme != "testsrc") throw std::invalid_argument("not a testsrc: URI");
    for (const auto& [key, value] : uri.params) {
        if (key == "size") {
            o.size = frame_size_param(value, "testsrc");
        } else if (key == "fps") {
            o.fps = uri.number(key, o.fps, 0.1, 240);
        } else if (key == "quality") {
            o.quality = static_cast<int>(uri.number(key, o.quality, 1, 100));
        } else if (key == "noise") {
            o.noise = static_cast<int>(uri.number(key, o.noise, 0, 100));
        } else {
            throw std::invalid_argument("testsrc: unknown parameter '" + key +
                                        "' (known: size, fps, quality, noise)");
        }
    }
    return o;
}

namespace {

namespace net = boost::asio;
using net::awaitable;

/** The test card's controls, changed by viewers on I/O threads and read by the renderer. */
struct test_card_settings : controllable {
    std::atomic<int> quality, brightness{0}, noise;

    explicit test_card_settings(const test_card_options& o) : quality(o.quality), noise(o.noise) {}

    std::vector<control_info> controls() const override {
        return {{"quality", "JPEG quality", "int", 1, 100, 1, static_cast<double>(quality.load()), {}},
                {"brightness", "Brightness", "int", -100, 100, 1, static_cast<double>(brightness.load()), {}},
                {"noise", "Noise", "int", 0, 100, 1, static_cast<double>(noise.load()), {}}};
    }

    // The renderer reads these atomics before each frame: a change is in effect at once.
    void set_control(const std::string& id, double value, control_callback done) override {
        (id == "quality" ? quality : id == "brightness" ? brightness : noise) = static_cast<int>(value);
        done(control_result::applied(value));
    }
};

/** The test card's coroutine: paces the frames, while someone watches, and hands each to the render pool. */
class test_card_body : public coroutine_source::body {
public:
    test_card_body(std::shared_ptr<stream> h, test_card_options o, const io_context_picker& io)
        : body(std::move(h), io, on_demand::yes, cancelled_by::interrupt), options(o),
          settings(std::make_shared<test_card_settings>(o)), timer(loop.context()),
          pacer(options.fps, std::chrono::steady_clock::now()), render(options) {
        hub->set_controllable(settings);
    }

    std::string describe() const override {
        const auto& o = options;
        return "testsrc:?size=" + to_string(o.size) + "&fps=" + std::to_string(static_cast<int>(o.fps)) +
               "&quality=" + std::to_string(o.quality) + (o.noise ? "&noise=" + std::to_string(o.noise) : "");
    }

private:
    /** What makes the frames; used by one render job at a time, on the render pool. */
    struct renderer {
        explicit renderer(const test_card_options& o) : card(o.size.width, o.size.height, o.noise) {}
        test_card card;
        jpeg_encoder encoder;
        std::uint64_t n = 0;
    };

    void starting() override {
        hub->set_info({options.size.width, options.size.height, options.fps, describe()});
        // Nothing to open: the card is ready as soon as it is started.
        report_status(*hub, true);
    }

    /** On the render pool: one frame, rendered with the controls in effect, encoded, published. */
    void render_and_publish() {
        auto& r = render;
        frame_info info{options.size.width, options.size.height, unix_now_us()};
        r.card.set_noise(settings->noise);
        r.card.set_brightness(settings->brightness);
        r.card.render(++r.n, info.capture_us);
        auto storage = frame::make_storage(0);
        const auto size = r.encoder.encode_rgb(r.card.rgb(), r.card.width(), r.card.height(), settings->quality,
                                               storage, frame::header_size);
        hub->publish(std::move(storage), size, info);
        // Free once online; back online after a failed frame. Not once stopping: run() may have
        // said "source stopped" while this frame rendered (stop() says it again after the job).
        if (!stopping) report_status(*hub, true);
    }

    /**
     * Hands the frame to the render pool and returns at once: the coroutine never waits for
     * another thread to resume it (that thread would still touch the loop's context after the
     * resumed coroutine let stop() return and the context go: ASan caught it). A frame still
     * rendering makes this one skip. The job does not own this body (its last reference must
     * not go on a pool thread, with the loop's timer): stop() waits for it instead.
     */
    void start_render() {
        {
            std::lock_guard lock(render_mutex);
            if (rendering) return;
            rendering = true;
        }
        net::post(render_pool(), [this] {
            try {
                if (!stopping) render_and_publish();
            } catch (const std::exception& e) {
                report_status(*hub, false, std::string("failed: ") + e.what());
            }
            std::lock_guard lock(render_mutex);
            rendering = false;
            render_done.notify_all();
        });
    }

    awaitable<void> run() override {
        const auto& name = hub->name();
        report_status(*hub, true);
        bool capturing = false;
        // The card stops `linger` after its last viewer left or paused, not at once: a viewer
        // pausing and resuming in a loop (an attack review: every 50 ms, 200 start and stop
        // lines in 12 s) keeps it running instead of starting and stopping it each time.
        constexpr auto linger = std::chrono::seconds(1);
        std::optional<std::chrono::steady_clock::time_point> unwatched_since;
        while (!stopping) {
            if (!options.always_on && hub->viewer_count() == 0) {
                const auto now = std::chrono::steady_clock::now();
                if (!unwatched_since) unwatched_since = now;
                if (!capturing || now - *unwatched_since >= linger) {
                    if (capturing) spdlog::info("stream={} source idle: no viewers", name);
                    capturing = false;
                    co_await demand->wait(stopping, options.always_on);
                    if (stopping) break;
                    unwatched_since.reset();
                }
            } else {
                unwatched_since.reset();
            }
            if (!capturing) {
                spdlog::info("stream={} source capturing", name);
                capturing = true;
                pacer.restart(std::chrono::steady_clock::now());
            }
            timer.expires_at(pacer.next_deadline());
            boost::system::error_code ec;
            co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
            if (stopping) break;
            start_render();
            if (auto skipped = pacer.advance(std::chrono::steady_clock::now()))
                spdlog::debug("stream={} source late: skipped {} frame slots", name, skipped);
        }
        report_status(*hub, false, "source stopped");
    }

    void interrupt() override { timer.cancel(); }

    /** No render job of ours runs after stop() returns. */
    void after_stop() override {
        {
            std::unique_lock lock(render_mutex);
            render_done.wait(lock, [&] { return !rendering; });
        }
        // The last word: a job that checked `stopping` just before it was set may have said online.
        report_status(*hub, false, "source stopped");
    }

    test_card_options options;
    std::shared_ptr<test_card_settings> settings;  // the live controls, shared with the hub
    net::steady_timer timer;  // pacing, on the loop's thread
    frame_pacer pacer;
    renderer render;  // the render pool's, one job at a time
    std::mutex render_mutex;
    std::condition_variable render_done;
    bool rendering = false;  // a job of ours is queued or running on the render pool
};

}  // namespace

test_card_source::test_card_source(std::shared_ptr<stream> hub, test_card_options options,
                                         const io_context_picker& io)
    : coroutine_source(std::make_shared<test_card_body>(std::move(hub), options, io)) {}

}  // namespace wscam
