#include "record/recorder.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <system_error>

#include "core/rate_limit.hpp"
#include "record/plain_file.hpp"
#include "record/segment_policy.hpp"
#include "record/segment_repair.hpp"

namespace wscam::record {

using clock = std::chrono::steady_clock;
constexpr auto retry_every = std::chrono::seconds(5);

std::string segment_file_name(std::int64_t start_us) {
    const std::time_t seconds = static_cast<std::time_t>(start_us / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[80];  // room for any year the int fields can hold
    std::snprintf(text, sizeof text, "%04d%02d%02dT%02d%02d%02d.%06dZ.mp4", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(start_us % 1'000'000));
    return text;
}

void check_folder(const std::filesystem::path& folder) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) throw segment_error("cannot create " + folder.string() + ": " + ec.message());
    // The probe is made anew, never opened through what is at its name (a planted link to a
    // file elsewhere was truncated): whatever is there goes first (remove() takes a link itself).
    const auto probe = folder / ".wscam-write-test";
    std::filesystem::remove(probe, ec);
    if (std::string why; !create_new_file(probe, &why)) throw segment_error("cannot write in " + folder.string() + ": " + why);
    std::filesystem::remove(probe, ec);
}

/**
 * The pictures and gaps waiting for the writer thread, bounded in bytes: a picture that does not
 * fit is dropped (the disk is too slow), and the next one taken says so.
 */
class recorder::inbox {
public:
    struct item {
        frame_ptr picture;      // null: a gap (the camera went offline)
        bool after_drop = false;  // pictures were dropped just before this one
    };

    explicit inbox(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    void push(frame_ptr picture) {
        {
            std::lock_guard lock(mutex_);
            const std::size_t size = picture->memory_bytes();
            if (bytes_ + size > max_bytes_) {
                ++dropped_;
                dropped_since_ = true;
                return;
            }
            bytes_ += size;
            items_.push_back({std::move(picture), std::exchange(dropped_since_, false)});
        }
        ready_.notify_one();
    }

    void push_gap() {
        {
            std::lock_guard lock(mutex_);
            if (!items_.empty() && !items_.back().picture) return;  // one gap is as good as many
            items_.push_back({});
        }
        ready_.notify_one();
    }

    /** The next item, waiting up to `timeout`; nullopt if none came or `stop` was requested. */
    std::optional<item> pop(std::stop_token& stop, clock::duration timeout) {
        std::unique_lock lock(mutex_);
        ready_.wait_for(lock, stop, timeout, [&] { return !items_.empty(); });
        if (items_.empty()) return std::nullopt;
        item next = std::move(items_.front());
        items_.pop_front();
        if (next.picture) bytes_ -= next.picture->memory_bytes();
        return next;
    }

    std::uint64_t dropped() const {
        std::lock_guard lock(mutex_);
        return dropped_;
    }

private:
    const std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::condition_variable_any ready_;
    std::deque<item> items_;
    std::size_t bytes_ = 0;
    std::uint64_t dropped_ = 0;
    bool dropped_since_ = false;
};

/** A recorder's subscription: it only queues (never blocks a source), and counts as one viewer. */
class recorder::tap : public frame_sink {
public:
    tap(std::shared_ptr<inbox> box, bool pictures, bool status)
        : box_(std::move(box)), pictures_(pictures), status_(status) {}
    void on_frame(frame_ptr f) override {
        if (pictures_) box_->push(std::move(f));
    }
    void on_status(const stream_status& s) override {
        if (status_ && !s.online) box_->push_gap();
    }
    void on_removed(const std::string&) override {
        if (status_) box_->push_gap();
    }
    std::size_t viewers() const override { return 1; }

private:
    std::shared_ptr<inbox> box_;
    bool pictures_;
    bool status_;
};

/** The writer thread's state. */
struct recorder::writing {
    explicit writing(segment_policy p) : policy(p) {}
    segment_policy policy;
    std::unique_ptr<segment_writer> file;
    segment_entry current;            // the open segment, as it will be indexed
    std::string error;                // the last failure, until a segment opens again
    clock::time_point retry_at{};     // after a failure: no new segment before this
    clock::time_point keyframe_asked{};
    clock::time_point last_unit{};  // H.264: when the encoder last gave us one (never: start it at once)
    clock::time_point started_encoder{};
    std::uint64_t dropped_logged = 0;
    rate_limit drop_log{std::chrono::seconds(10)};
};

recorder::recorder(std::shared_ptr<stream> s, recording_settings settings, std::optional<h264_feed> h264,
                   segment_done done)
    : stream_(std::move(s)), settings_(std::move(settings)), h264_(std::move(h264)), done_(std::move(done)),
      inbox_(std::make_shared<inbox>(settings_.queue_bytes)) {
    check_folder(settings_.folder);
    repair_folder();
    if (settings_.events)
        clips_.emplace(std::chrono::microseconds(settings_.preroll).count(), std::chrono::microseconds(settings_.postroll).count(),
                       max_clip_us, settings_.codec == codec::h264, settings_.queue_bytes);
    const bool jpeg = settings_.codec == codec::mjpeg;
    source_tap_ = std::make_shared<tap>(inbox_, jpeg, true);
    stream_->subscribe(source_tap_);
    if (!jpeg) {
        if (!h264_) throw segment_error("an H.264 recording needs the stream's H.264 rendition (is --h264-max-streams 0?)");
        units_tap_ = std::make_shared<tap>(inbox_, true, false);
        h264_->units->subscribe(units_tap_);
    }
    writer_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

recorder::~recorder() {
    stream_->unsubscribe(source_tap_.get());
    if (units_tap_) h264_->units->unsubscribe(units_tap_.get());
    writer_.request_stop();
    writer_.join();
}

void recorder::repair_folder() {
    // Only the recorder's own files: a segment's name, a plain file (never what a link points at).
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(settings_.folder, ec)) {
        if (!segment_start(entry.path().filename().string()) || !plain_file(entry.path())) continue;
        try {
            if (const auto what = repair_segment(entry.path()))
                spdlog::warn("stream={} recording: {} was not finished (wscam stopped without closing it): {}",
                             stream_->name(), entry.path().filename().string(), *what);
        } catch (const std::filesystem::filesystem_error& e) {
            spdlog::error("stream={} recording: cannot repair {}: {}", stream_->name(), entry.path().string(), e.what());
        }
    }
}

std::optional<segment_entry> recorder::open_segment() const {
    std::lock_guard lock(stats_mutex_);
    if (!stats_.recording) return std::nullopt;
    auto e = open_;
    e.writing = true;
    std::error_code ec;
    e.bytes = std::filesystem::file_size(settings_.folder / e.name, ec);
    return e;
}

std::optional<std::int64_t> recorder::clip(bool start) {
    if (!clips_) return std::nullopt;
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::lock_guard lock(clip_mutex_);
    const bool was_open = clips_->open();
    if (start)
        clips_->start(now);
    else
        clips_->stop(now);
    if (start && !was_open) spdlog::info("stream={} recording: a clip started ({} s before it kept)", stream_->name(), settings_.preroll.count());
    return clips_->open() ? clips_->ends_at() : now;
}

recording_stats recorder::stats() const {
    std::lock_guard lock(stats_mutex_);
    auto s = stats_;
    s.dropped = inbox_->dropped();
    return s;
}

void recorder::run(std::stop_token stop) {
    const bool h264 = settings_.codec == codec::h264;
    writing w(segment_policy(std::chrono::microseconds(settings_.segment_length).count(),
                             std::chrono::microseconds(settings_.gap).count(), h264));
    while (!stop.stop_requested()) {
        auto now = clock::now();
        if (h264 && now - w.last_unit > retry_every && now - w.started_encoder > retry_every) {
            // Not (or no longer) encoded: no encoder slot was free, or the worker ended.
            w.started_encoder = now;
            std::string why;
            if (!h264_->start(&why)) failed(w, "no H.264 encoder free: " + why);
        }
        if (const auto dropped = inbox_->dropped(); dropped > w.dropped_logged) {
            std::uint64_t held = 0;
            if (w.drop_log.allow(now, held)) {
                spdlog::warn("stream={} recording: the disk is too slow: {} picture(s) dropped so far",
                             stream_->name(), dropped);
                w.dropped_logged = dropped;
            }
        }
        auto item = inbox_->pop(stop, std::chrono::seconds(1));
        now = clock::now();
        if (!item) continue;
        // A gap, or (H.264) a hole in the units: the open segment ends with its last picture.
        if (!item->picture || (h264 && item->after_drop)) {
            if (w.policy.gap() && w.file) finish(w, w.file->last_us());
        }
        if (!item->picture) continue;
        if (h264) w.last_unit = now;
        if (!clips_) {
            take(item->picture, w);
            continue;
        }
        clip_gate::verdict v;
        {
            std::lock_guard lock(clip_mutex_);
            v = clips_->offer(std::move(item->picture));
        }
        if (v.ended && w.policy.gap() && w.file) {
            spdlog::info("stream={} recording: a clip ended", stream_->name());
            finish(w, w.file->last_us());
        }
        for (const auto& f : v.write) take(f, w);
    }
    if (w.file) finish(w, w.file->last_us());
}

void recorder::take(const frame_ptr& f, writing& w) {
    const auto now = clock::now();
    if (now < w.retry_at) return;
    const bool h264 = settings_.codec == codec::h264;
    switch (w.policy.next(f->capture_us(), !h264 || f->keyframe(), f->width(), f->height())) {
    case segment_policy::action::skip:
        break;
    case segment_policy::action::cut:
        finish(w, f->capture_us());
        [[fallthrough]];
    case segment_policy::action::open:
        open(f, w);
        break;
    case segment_policy::action::write:
        try {
            w.file->add(f->payload(), f->capture_us(), !h264 || f->keyframe());
            std::lock_guard lock(stats_mutex_);
            ++stats_.frames;
            open_.end_us = f->capture_us();
            ++open_.frames;
        } catch (const segment_error& e) {
            failed(w, e.what());
        }
        break;
    case segment_policy::action::close:
        finish(w, w.file->last_us());
        break;
    }
    if (w.policy.wants_keyframe() && now - w.keyframe_asked > std::chrono::seconds(1)) {
        w.keyframe_asked = now;
        h264_->request_keyframe();
    }
}

void recorder::open(const frame_ptr& f, writing& w) {
    auto path = settings_.folder / segment_file_name(f->capture_us());
    for (int n = 2; std::filesystem::exists(path); ++n)  // a segment begun at the same microsecond
        path = settings_.folder / (path.stem().string() + "-" + std::to_string(n) + ".mp4");
    const bool h264 = settings_.codec == codec::h264;
    segment_format format{settings_.codec, f->width(), f->height(), {}};
    if (h264) format.h264_keyframe.assign(f->payload().begin(), f->payload().end());
    try {
        w.file = std::make_unique<segment_writer>(path.string(), format, f->capture_us());
        w.file->add(f->payload(), f->capture_us(), true);
    } catch (const segment_error& e) {
        return failed(w, e.what());
    }
    w.current = {stream_->name(), path.filename().string(), f->capture_us(), 0, 0, 0, settings_.codec, f->width(),
                 f->height()};
    if (!w.error.empty()) {
        spdlog::info("stream={} recording again ({})", stream_->name(), path.parent_path().string());
        w.error.clear();
    }
    std::lock_guard lock(stats_mutex_);
    stats_.recording = true;
    stats_.error.clear();
    ++stats_.frames;
    open_ = w.current;
    open_.end_us = f->capture_us();
    open_.frames = 1;
}

void recorder::finish(writing& w, std::int64_t end_us) {
    auto file = std::move(w.file);
    if (!file) return;
    try {
        file->close(end_us);
    } catch (const segment_error& e) {
        return failed(w, e.what());
    }
    w.current.end_us = file->end_us();
    w.current.frames = file->frames();
    std::error_code ec;
    const auto path = settings_.folder / w.current.name;
    w.current.bytes = std::filesystem::file_size(path, ec);
    {
        std::lock_guard lock(stats_mutex_);
        stats_.recording = false;
        open_ = {};
        ++stats_.segments;
        stats_.bytes += w.current.bytes;
    }
    spdlog::debug("stream={} recording: {} done ({} frames, {} bytes)", stream_->name(), path.string(),
                  w.current.frames, w.current.bytes);
    if (done_) done_(w.current);
}

void recorder::failed(writing& w, const std::string& why) {
    w.file.reset();  // what reached the file stays playable
    w.policy.lost();
    w.retry_at = clock::now() + retry_every;
    if (w.error != why) spdlog::error("stream={} recording stopped: {} (trying again every 5 s)", stream_->name(), why);
    w.error = why;
    std::lock_guard lock(stats_mutex_);
    stats_.recording = false;
    stats_.error = why;
    open_ = {};
}

}  // namespace wscam::record
