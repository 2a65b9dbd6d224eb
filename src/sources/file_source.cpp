#include "sources/file_source.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <vector>

#include "codec/mjpeg_splitter.hpp"
#include "core/backoff.hpp"
#include "core/frame_pacer.hpp"
#include "sources/coroutine_body.hpp"
#include "sources/frame_intake.hpp"

namespace wscam {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
using net::awaitable;

/** Plays the files (or the clip) at fps while someone watches, from the start again at the end. */
class file_body : public coroutine_source::body {
public:
    file_body(std::shared_ptr<stream> h, fs::path p, intake_options o, const io_context_picker& io)
        : body(std::move(h), io, on_demand::yes, cancelled_by::interrupt), path(std::move(p)), options(o),
          intake(hub, options.max_frame_bytes, options.max_frame_pixels),
          pacer(options.fps, std::chrono::steady_clock::now()), timer(loop.context()) {}

    std::string describe() const override { return "file:" + path.string(); }

private:
    void starting() override { hub->set_info({0, 0, options.fps, describe()}); }

    awaitable<bool> sleep_until(std::chrono::steady_clock::time_point when) {
        timer.expires_at(when);
        boost::system::error_code ec;
        co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        co_return !stopping;
    }

    /** Waits for a viewer (if nobody watches) and for the frame's deadline; false when stopped. */
    awaitable<bool> wait_turn() {
        if (!options.always_on && hub->viewer_count() == 0) {
            co_await demand->wait(stopping, options.always_on);
            if (stopping) co_return false;
            pacer.restart(std::chrono::steady_clock::now());
        }
        const bool ok = co_await sleep_until(pacer.next_deadline());  // not inside the condition: GCC 12 miscompiles that
        if (!ok) co_return false;
        pacer.advance(std::chrono::steady_clock::now());
        co_return true;
    }

    void offer(const std::vector<std::uint8_t>& jpeg) {
        if (intake.offer(jpeg)) report_status(*hub, true);
    }

    /** One pass over the files; returns how many frames were offered, or -1 when stopped. */
    awaitable<long> play_directory() {
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(path, ec)) {
            auto ext = entry.path().extension().string();
            std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg")) files.push_back(entry.path());
        }
        if (ec) throw std::runtime_error("cannot read " + path.string() + ": " + ec.message());
        std::sort(files.begin(), files.end());
        long offered = 0;
        std::vector<std::uint8_t> bytes;
        for (const auto& f : files) {
            std::ifstream in(f, std::ios::binary);
            bytes.assign(std::istreambuf_iterator<char>(in), {});
            if (!in.good() && !in.eof()) continue;
            const bool ok = co_await wait_turn();
            if (!ok) co_return -1;
            offer(bytes);
            ++offered;
        }
        co_return offered;
    }

    /** Reads the clip a chunk at a time and plays the frames each chunk completes. */
    awaitable<long> play_clip() {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error("cannot open " + path.string());
        long offered = 0;
        std::deque<std::vector<std::uint8_t>> ready;
        mjpeg_splitter splitter(options.max_frame_bytes, [&](std::span<const std::uint8_t> jpeg) { ready.emplace_back(jpeg.begin(), jpeg.end()); });
        std::vector<char> chunk(256 * 1024);
        while (in) {
            in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            splitter.feed({reinterpret_cast<const std::uint8_t*>(chunk.data()), static_cast<std::size_t>(in.gcount())});
            for (; !ready.empty(); ready.pop_front()) {
                const bool ok = co_await wait_turn();
                if (!ok) co_return -1;
                offer(ready.front());
                ++offered;
            }
        }
        co_return offered;
    }

    awaitable<void> run() override {
        backoff retry(options.reconnect_initial, options.reconnect_max);
        spdlog::info("stream={} source starting: file:{} at {} fps{}", hub->name(), path.string(), options.fps,
                     options.loop ? ", looping" : "");
        while (!stopping) {
            long offered = 0;
            std::string error;
            try {
                std::error_code ec;
                // Plain if/else: GCC 12 mishandles co_await in a conditional expression.
                if (fs::is_directory(path, ec))
                    offered = co_await play_directory();
                else
                    offered = co_await play_clip();
            } catch (const std::exception& e) {
                error = e.what();
            }
            if (stopping) break;
            if (!error.empty()) {
                report_status(*hub, false, error);
                const bool ok = co_await sleep_until(std::chrono::steady_clock::now() + retry.next());
                if (!ok) break;
                continue;
            }
            if (offered < 0) break;
            if (offered == 0 || intake.accepted() == 0) {
                report_status(*hub, false, "no JPEG frames in " + path.string());
                const bool ok = co_await sleep_until(std::chrono::steady_clock::now() + retry.next());
                if (!ok) break;
                continue;
            }
            retry.reset();
            if (!options.loop) {
                report_status(*hub, false, "end of file");
                co_return;
            }
        }
    }

    void interrupt() override { timer.cancel(); }

    fs::path path;
    intake_options options;
    frame_intake intake;
    frame_pacer pacer;
    net::steady_timer timer;  // pacing and retries, on the loop's thread
};

}  // namespace

file_source::file_source(std::shared_ptr<stream> hub, fs::path path, intake_options options,
                         const io_context_picker& io)
    : coroutine_source(std::make_shared<file_body>(std::move(hub), std::move(path), options, io)) {}

}  // namespace wscam
