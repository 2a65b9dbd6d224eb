#include "app/probe.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "codec/jpeg_codec.hpp"
#include "sources/frame_intake.hpp"
#include "sources/source_factory.hpp"

namespace wscam {
namespace {

/** Watches the stream like a viewer would (so on-demand sources start) and keeps what it saw. */
struct probe_sink : frame_sink {
    std::mutex mutex;
    std::vector<frame_ptr> frames;
    std::vector<std::string> statuses;
    void on_frame(frame_ptr f) override {
        std::lock_guard lock(mutex);
        frames.push_back(std::move(f));
    }
    void on_status(const stream_status& s) override {
        std::lock_guard lock(mutex);
        statuses.push_back(s.online ? "online" : "offline: " + s.reason);
        if (!s.message.empty()) statuses.push_back("camera says: " + s.message);
    }
};

}  // namespace

int run_probe(const app_options& options) {
    const auto& spec = options.streams.front();
    auto hub = std::make_shared<stream>(spec.name);
    auto source = make_source(spec.uri, hub, spec.defaults);
    auto sink = std::make_shared<probe_sink>();
    hub->subscribe(sink);
    std::printf("probing %s for up to %.0f s ...\n", source->describe().c_str(), options.probe_seconds);
    std::fflush(stdout);
    source->start();

    constexpr std::size_t wanted = 30;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(options.probe_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        {
            std::lock_guard lock(sink->mutex);
            if (sink->frames.size() >= wanted) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    source->stop();

    std::lock_guard lock(sink->mutex);
    for (const auto& s : sink->statuses) std::printf("status: %s\n", s.c_str());
    if (sink->frames.empty()) {
        const auto status = hub->status();
        std::printf("no frames received%s%s\n", status.online ? "" : ": ", status.online ? "" : status.reason.c_str());
        if (hub->rejected()) std::printf("%llu frame(s) refused as invalid (see the log)\n",
                                         static_cast<unsigned long long>(hub->rejected()));
        return 1;
    }
    const auto& first = sink->frames.front();
    const auto& last = sink->frames.back();
    std::size_t bytes = 0;
    for (const auto& f : sink->frames) bytes += f->jpeg().size();
    const double span_s = static_cast<double>(last->capture_us() - first->capture_us()) / 1e6;
    jpeg_decoder decoder;
    const auto header = decoder.read_header(last->jpeg());
    std::printf("format:    JPEG %s\n", header ? subsampling_name(header->subsampling) : "?");
    std::printf("size:      %ux%u\n", last->width(), last->height());
    if (sink->frames.size() > 1 && span_s > 0)
        std::printf("fps:       %.1f (%zu frames in %.2f s)\n", static_cast<double>(sink->frames.size() - 1) / span_s,
                    sink->frames.size(), span_s);
    else
        std::printf("fps:       ? (%zu frame)\n", sink->frames.size());
    std::printf("frame:     %zu bytes on average\n", bytes / sink->frames.size());
    std::vector<std::uint8_t> rgb;
    int w = 0, h = 0;
    if (decoder.decode_rgb(last->jpeg(), rgb, w, h)) {
        double sum = 0;
        for (std::size_t i = 0; i + 2 < rgb.size(); i += 3) sum += 0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2];
        std::printf("luma:      %.1f (mean of the last frame, 0-255)\n", sum / (static_cast<double>(rgb.size()) / 3));
    }
    if (hub->rejected()) std::printf("refused:   %llu invalid frame(s)\n", static_cast<unsigned long long>(hub->rejected()));
    return 0;
}

}  // namespace wscam
