#include "sources/test_pattern_source.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <stdexcept>

#include "codec/jpeg_codec.hpp"
#include "codec/test_pattern.hpp"
#include "core/frame_pacer.hpp"
#include "core/interruptible_sleep.hpp"
#include "sources/frame_intake.hpp"
#include "sources/source_thread.hpp"

namespace wscam {
namespace {

}  // namespace

test_pattern_options test_pattern_options_from(const source_uri& uri, test_pattern_options o) {
    if (uri.scheme != "testsrc") throw std::invalid_argument("not a testsrc: URI");
    for (const auto& [key, value] : uri.params) {
        if (key == "size") {
            std::string error;
            auto s = parse_frame_size(value, &error);
            if (!s) throw std::invalid_argument("testsrc: " + error);
            o.size = *s;
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

/** The pattern's controls, changed by viewers on I/O threads and read by the render thread. */
struct test_pattern_source::settings : controllable {
    std::atomic<int> quality, brightness{0}, noise;

    explicit settings(const test_pattern_options& o) : quality(o.quality), noise(o.noise) {}

    std::vector<control_info> controls() const override {
        return {{"quality", "JPEG quality", "int", 1, 100, 1, static_cast<double>(quality.load()), {}},
                {"brightness", "Brightness", "int", -100, 100, 1, static_cast<double>(brightness.load()), {}},
                {"noise", "Noise", "int", 0, 100, 1, static_cast<double>(noise.load()), {}}};
    }

    // The render thread reads these atomics before each frame: a change is in effect at once.
    void set_control(const std::string& id, double value, control_callback done) override {
        (id == "quality" ? quality : id == "brightness" ? brightness : noise) = static_cast<int>(value);
        done(control_result::applied(value));
    }
};

test_pattern_source::test_pattern_source(std::shared_ptr<frame_hub> hub, test_pattern_options options)
    : hub_(std::move(hub)), options_(options), settings_(std::make_shared<settings>(options)) {
    hub_->set_controllable(settings_);
}

test_pattern_source::~test_pattern_source() { stop(); }

void test_pattern_source::start() {
    hub_->set_info({options_.size.width, options_.size.height, options_.fps, describe()});
    // Nothing to open: the pattern is ready as soon as it is started.
    report_status(*hub_, true);
    thread_ = std::jthread([this](std::stop_token st) { run_restarting(*hub_, st, [&] { run(st); }); });
}

void test_pattern_source::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

std::string test_pattern_source::describe() const {
    return "testsrc:?size=" + to_string(options_.size) + "&fps=" + std::to_string(static_cast<int>(options_.fps)) +
           "&quality=" + std::to_string(options_.quality) +
           (options_.noise ? "&noise=" + std::to_string(options_.noise) : "");
}

void test_pattern_source::run(std::stop_token stop) {
    const auto& name = hub_->name();
    // An exception (say, a failed encode) is reported and retried by run_restarting.
    report_status(*hub_, true);
    test_pattern pattern(options_.size.width, options_.size.height, options_.noise);
    jpeg_encoder encoder;
    frame_pacer pacer(options_.fps, std::chrono::steady_clock::now());
    std::uint64_t n = 0;
    bool capturing = false;

    while (!stop.stop_requested()) {
        if (!options_.always_on && hub_->viewer_count() == 0) {
            if (capturing) spdlog::info("stream={} source idle: no viewers", name);
            capturing = false;
            if (!hub_->wait_for_viewers(stop)) break;
        }
        if (!capturing) {
            spdlog::info("stream={} source capturing", name);
            capturing = true;
            pacer.restart(std::chrono::steady_clock::now());
        }
        sleep_until(stop, pacer.next_deadline());
        if (stop.stop_requested()) break;

        frame_info info{options_.size.width, options_.size.height, unix_now_us()};
        pattern.set_noise(settings_->noise);
        pattern.set_brightness(settings_->brightness);
        pattern.render(++n, info.capture_us);
        auto storage = frame::make_storage(0);
        const auto size = encoder.encode_rgb(pattern.rgb(), pattern.width(), pattern.height(), settings_->quality,
                                             storage, frame::header_size);
        hub_->publish(std::move(storage), size, info);
        if (auto skipped = pacer.advance(std::chrono::steady_clock::now()))
            spdlog::debug("stream={} source late: skipped {} frame slots", name, skipped);
    }
    report_status(*hub_, false, "source stopped");
}

}  // namespace wscam
