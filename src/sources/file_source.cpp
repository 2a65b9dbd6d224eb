#include "sources/file_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <vector>

#include "codec/mjpeg_splitter.hpp"
#include "core/backoff.hpp"
#include "core/frame_pacer.hpp"
#include "core/interruptible_sleep.hpp"
#include "sources/frame_intake.hpp"
#include "sources/source_thread.hpp"

namespace wscam {
namespace fs = std::filesystem;

file_source::file_source(std::shared_ptr<frame_hub> hub, fs::path path, intake_options options)
    : hub_(std::move(hub)), path_(std::move(path)), options_(options) {}

file_source::~file_source() { stop(); }

void file_source::start() {
    hub_->set_info({0, 0, options_.fps, describe()});
    thread_ = std::jthread([this](std::stop_token st) { run_restarting(*hub_, st, [&] { run(st); }); });
}

void file_source::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

std::string file_source::describe() const { return "file:" + path_.string(); }

bool file_source::wait_turn(std::stop_token stop, frame_pacer& pacer) {
    if (!options_.always_on && hub_->viewer_count() == 0) {
        if (!hub_->wait_for_viewers(stop)) return false;
        pacer.restart(std::chrono::steady_clock::now());
    }
    if (!sleep_until(stop, pacer.next_deadline())) return false;
    pacer.advance(std::chrono::steady_clock::now());
    return true;
}

long file_source::play_directory(std::stop_token stop, frame_intake& intake, frame_pacer& pacer) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(path_, ec)) {
        auto ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (entry.is_regular_file() && (ext == ".jpg" || ext == ".jpeg")) files.push_back(entry.path());
    }
    if (ec) throw std::runtime_error("cannot read " + path_.string() + ": " + ec.message());
    std::sort(files.begin(), files.end());
    long offered = 0;
    std::vector<std::uint8_t> bytes;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
        if (!in.good() && !in.eof()) continue;
        if (!wait_turn(stop, pacer)) return -1;
        if (intake.offer(bytes)) report_status(*hub_, true);
        ++offered;
    }
    return offered;
}

long file_source::play_clip(std::stop_token stop, frame_intake& intake, frame_pacer& pacer) {
    std::ifstream in(path_, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path_.string());
    long offered = 0;
    bool stopped = false;
    mjpeg_splitter splitter(options_.max_frame_bytes, [&](std::vector<std::uint8_t>&& jpeg) {
        if (stopped || !wait_turn(stop, pacer)) {
            stopped = true;
            return;
        }
        if (intake.offer(jpeg)) report_status(*hub_, true);
        ++offered;
    });
    std::vector<char> chunk(256 * 1024);
    while (!stopped && in) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        splitter.feed({reinterpret_cast<const std::uint8_t*>(chunk.data()), static_cast<std::size_t>(in.gcount())});
    }
    return stopped ? -1 : offered;
}

void file_source::run(std::stop_token stop) {
    const auto& name = hub_->name();
    frame_intake intake(hub_, options_.max_frame_bytes, options_.max_frame_pixels);
    frame_pacer pacer(options_.fps, std::chrono::steady_clock::now());
    backoff retry(options_.reconnect_initial, options_.reconnect_max);
    spdlog::info("stream={} source starting: {} at {} fps{}", name, describe(), options_.fps, options_.loop ? ", looping" : "");
    while (!stop.stop_requested()) {
        long offered = 0;
        try {
            std::error_code ec;
            offered = fs::is_directory(path_, ec) ? play_directory(stop, intake, pacer) : play_clip(stop, intake, pacer);
        } catch (const std::exception& e) {
            report_status(*hub_, false, e.what());
            if (!sleep_for(stop, retry.next())) break;
            continue;
        }
        if (offered < 0) break;
        if (offered == 0 || intake.accepted() == 0) {
            report_status(*hub_, false, "no JPEG frames in " + path_.string());
            if (!sleep_for(stop, retry.next())) break;
            continue;
        }
        retry.reset();
        if (!options_.loop) {
            report_status(*hub_, false, "end of file");
            return;
        }
    }
}

}  // namespace wscam
