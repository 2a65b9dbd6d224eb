#include "record/timelapse.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <stdexcept>

#include "codec/h264_encoder.hpp"
#include "codec/jpeg_to_yuv.hpp"
#include "record/plain_file.hpp"
#include "record/recorder.hpp"
#include "record/recording_options.hpp"
#include "record/segment_repair.hpp"

namespace wscam::record {
namespace {

constexpr int keyframe_every = 30;  // pictures: a keyframe each second of the timelapse, to seek in
constexpr auto first_after = std::chrono::seconds(2);  // the first picture: once the camera has started
constexpr int max_side = 16384;                       // x264's largest picture side
constexpr auto min_part = std::chrono::minutes(10);    // a new size starts a new file at most this often
constexpr int max_parts = 9999;                        // a day's files (timelapse_name reads 4 digits)

/** A picture the timelapse does not take (the file goes on with the next); any other error ends the file. */
struct picture_skipped : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/** The local date of `capture_us`: "2026-12-07". */
std::string local_day(std::int64_t capture_us) {
    const std::time_t seconds = static_cast<std::time_t>(capture_us / 1'000'000);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);
    return text;
}

std::string file_name(const std::string& day, int part) {
    return part == 1 ? day + ".mp4" : day + "-" + std::to_string(part) + ".mp4";
}

}  // namespace

std::optional<timelapse_file> timelapse_name(std::string_view name) {
    auto digits = [](std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); };
    if (name.size() < 14 || !name.ends_with(".mp4")) return std::nullopt;
    const auto day = name.substr(0, 10);
    if (!digits(day.substr(0, 4)) || day[4] != '-' || !digits(day.substr(5, 2)) || day[7] != '-' || !digits(day.substr(8, 2)))
        return std::nullopt;
    const auto rest = name.substr(10, name.size() - 14);  // between the day and ".mp4"
    int part = 1;
    if (!rest.empty()) {
        const auto n = rest.substr(1);
        if (rest[0] != '-' || !digits(n) || n.size() > 4 || n[0] == '0') return std::nullopt;
        std::from_chars(n.data(), n.data() + n.size(), part);
        if (part < 2) return std::nullopt;
    }
    return timelapse_file{std::string(name), std::string(day), part, 0};
}

std::vector<timelapse_file> timelapse_files(const std::filesystem::path& folder) {
    std::vector<timelapse_file> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        auto f = timelapse_name(entry.path().filename().string());
        if (!f || !plain_file(entry.path())) continue;
        std::error_code size_error;
        f->bytes = std::filesystem::file_size(entry.path(), size_error);
        files.push_back(std::move(*f));
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return std::tie(a.day, a.part) < std::tie(b.day, b.part); });
    return files;
}

/** The timelapse's subscription: keeps the newest picture only (never a queue), and counts as a viewer. */
class timelapse::tap : public frame_sink {
public:
    void on_frame(frame_ptr f) override {
        std::lock_guard lock(mutex_);
        newest_ = std::move(f);
    }
    void on_status(const stream_status& s) override {
        if (s.online) return;
        std::lock_guard lock(mutex_);
        newest_.reset();  // an offline camera's last picture is not the present
    }
    std::size_t viewers() const override { return 1; }
    frame_ptr newest() const {
        std::lock_guard lock(mutex_);
        return newest_;
    }

private:
    mutable std::mutex mutex_;
    frame_ptr newest_;
};

/** The thread's state: the open file and, for H.264, its encoder. */
struct timelapse::writing {
    std::unique_ptr<segment_writer> file;
    std::string day;
    int part = 0;
    int width = 0, height = 0;
    std::int64_t next_us = 0;       // the timeline's next picture
    std::chrono::steady_clock::time_point opened_at{};
    std::uint64_t in_file = 0;      // pictures in the open file
    jpeg_to_yuv decoder;
    yuv420_image picture;
    std::unique_ptr<h264_encoder> encoder;
    std::string error;              // the last failure, logged once until a picture is written again
    std::atomic<std::uint64_t> written{0};
    std::mutex wake_mutex;
    std::condition_variable_any wake;
};

timelapse::timelapse(std::shared_ptr<stream> s, timelapse_settings settings)
    : stream_(std::move(s)), settings_(std::move(settings)), tap_(std::make_shared<tap>()),
      writing_(std::make_unique<writing>()) {
    check_folder(settings_.folder);
    for (const auto& f : timelapse_files(settings_.folder)) {
        try {
            if (const auto what = repair_segment(settings_.folder / f.name))
                spdlog::warn("stream={} timelapse: {} was not finished (wscam stopped without closing it): {}",
                             stream_->name(), f.name, *what);
        } catch (const std::filesystem::filesystem_error& e) {
            spdlog::error("stream={} timelapse: cannot repair {}: {}", stream_->name(), f.name, e.what());
        }
    }
    stream_->subscribe(tap_);
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

timelapse::~timelapse() {
    stream_->unsubscribe(tap_.get());
    thread_.request_stop();
    thread_.join();
}

std::uint64_t timelapse::pictures() const { return writing_->written.load(); }

void timelapse::run(std::stop_token stop) {
    auto& w = *writing_;
    auto due = std::chrono::steady_clock::now() + std::min<std::chrono::steady_clock::duration>(first_after, settings_.every);
    for (;;) {
        {
            std::unique_lock lock(w.wake_mutex);
            w.wake.wait_until(lock, stop, due, [] { return false; });  // only the time, or a stop, ends it
        }
        if (stop.stop_requested()) break;
        due += settings_.every;
        const auto now = std::chrono::steady_clock::now();
        if (due < now) due = now + settings_.every;  // the thread was held up: no burst to catch up
        const auto picture = tap_->newest();
        const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now().time_since_epoch()).count();
        // Older than a period: the camera stopped giving pictures (a gap, not a repeat).
        if (!picture || now_us - picture->capture_us() > std::chrono::microseconds(settings_.every).count()) continue;
        try {
            take(w, picture);
            w.error.clear();
        } catch (const picture_skipped& e) {
            if (w.error != e.what()) spdlog::warn("stream={} timelapse: {}", stream_->name(), e.what());
            w.error = e.what();
        } catch (const std::exception& e) {  // segment_error, x264's refusal, a file system error: never out of the thread
            if (w.error != e.what()) spdlog::error("stream={} timelapse: {} (trying again at the next picture)", stream_->name(), e.what());
            w.error = e.what();
            w.file.reset();  // what is in it stays playable; the next picture starts the next part
        }
    }
    if (w.file) {
        try {
            w.file->close(w.next_us);
        } catch (const std::exception& e) {
            spdlog::error("stream={} timelapse: {}", stream_->name(), e.what());
        }
    }
}

void timelapse::take(writing& w, const frame_ptr& picture) {
    const bool h264 = settings_.codec == codec::h264;
    std::string error;
    // Decoded as the live H.264 path does: a larger picture at 1/2, 1/4 or 1/8 of its size (a
    // camera's 8000x5000 took 700 MB), and one x264 cannot take is refused, not thrown.
    if (h264 && !w.decoder.decode(picture->jpeg(), w.picture, &error, 0, h264_settings::default_max_pixels))
        throw picture_skipped("a picture skipped: " + error);
    const int width = h264 ? w.picture.width : picture->width();
    const int height = h264 ? w.picture.height : picture->height();
    if (h264 && (width > max_side || height > max_side))
        throw picture_skipped("a picture of " + std::to_string(width) + "x" + std::to_string(height) + " skipped: H.264 takes at most " +
                            std::to_string(max_side) + " a side");
    const auto day = local_day(picture->capture_us());
    if (w.file && day == w.day && (width != w.width || height != w.height) &&
        std::chrono::steady_clock::now() - w.opened_at < min_part) {
        // A camera that keeps changing size would make a part a picture (and run out of names).
        throw picture_skipped("a picture of another size skipped (" + std::to_string(width) + "x" + std::to_string(height) +
                            "): the day's file changes size at most every 10 minutes");
    }
    if (w.file && (day != w.day || width != w.width || height != w.height)) {
        w.file->close(w.next_us);  // a new day, or a new size: the next file
        w.file.reset();
    }
    h264_access_unit unit;
    if (h264) {
        if (!w.file) w.encoder = std::make_unique<h264_encoder>(width, height, 30.0, h264_settings{});  // a new file starts a new sequence
        unit = w.encoder->encode(w.picture, !w.file || w.in_file % keyframe_every == 0);
    }
    const auto payload = h264 ? std::span<const std::uint8_t>(unit.storage.data() + frame::header_size, unit.size)
                              : picture->jpeg();
    if (!w.file) {
        // The day's next part: after every name already there, whatever it is (a restart keeps
        // what was written; a link or FIFO planted at a name is passed over, not retried).
        std::error_code ec;
        std::filesystem::create_directories(settings_.folder, ec);  // deleted by hand meanwhile
        int part = 1;
        for (const auto& entry : std::filesystem::directory_iterator(settings_.folder, ec))
            if (const auto f = timelapse_name(entry.path().filename().string()); f && f->day == day) part = std::max(part, f->part + 1);
        if (part > max_parts) throw segment_error("the day has " + std::to_string(max_parts) + " timelapse files already: no more today");
        segment_format format{settings_.codec, width, height, {}};
        if (h264) format.h264_keyframe.assign(payload.begin(), payload.end());
        format.fragment_us = 1;  // each picture reaches the file when the next one comes
        w.file = std::make_unique<segment_writer>((settings_.folder / file_name(day, part)).string(), format, 0);
        spdlog::info("stream={} timelapse: writing {} ({}, a picture every {} s)", stream_->name(), file_name(day, part),
                     to_string(settings_.codec), settings_.every.count());
        w.day = day;
        w.part = part;
        w.width = width;
        w.height = height;
        w.next_us = 0;
        w.in_file = 0;
        w.opened_at = std::chrono::steady_clock::now();
    }
    w.file->add(payload, w.next_us, !h264 || unit.keyframe);
    w.next_us += picture_us;
    ++w.in_file;
    ++w.written;
}

}  // namespace wscam::record
