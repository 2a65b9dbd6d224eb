#include "motion/motion_watch.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/text.hpp"

namespace wscam::motion {
/** The watch's subscription: only hands over, never blocks (it runs on the source's thread). */
class motion_watch::tap : public frame_sink {
public:
    explicit tap(std::weak_ptr<motion_watch> w) : watch_(std::move(w)) {}
    void on_frame(frame_ptr f) override {
        if (auto w = watch_.lock()) w->offered(std::move(f));
    }
    void on_status(const stream_status& s) override {
        if (auto w = watch_.lock()) w->status_changed(s.online);
    }

private:
    std::weak_ptr<motion_watch> watch_;
};

motion_watch::motion_watch(std::shared_ptr<stream> s, settings settings, std::shared_ptr<events::event_fanout> outputs,
                           detection_pool& pool)
    : stream_(std::move(s)), settings_(std::move(settings)), outputs_(std::move(outputs)), pool_(pool),
      detector_(settings_), tracker_(settings_.cooldown) {
    stats_.state = "learning";
}

motion_watch::~motion_watch() {
    if (tap_) stream_->unsubscribe(tap_.get());
}

void motion_watch::start() {
    tap_ = std::make_shared<tap>(weak_from_this());
    {
        std::lock_guard lock(slot_mutex_);
        online_ = stream_->online();
    }
    pool_.watch(weak_from_this());
    stream_->subscribe(tap_);
    spdlog::info("stream={} motion detection on (threshold {}, min area {}, cooldown {} ms, {} mask polygons)", stream_->name(),
                 settings_.threshold, settings_.min_area, settings_.cooldown.count(), settings_.mask.size());
}

void motion_watch::stop() {
    if (tap_) stream_->unsubscribe(tap_.get());
    std::lock_guard lock(work_mutex_);
    if (stopped_) return;
    stopped_ = true;
    if (tracker_.offline().ended) tell(events::change::ended, peak_);
    previous_.reset();
    peak_.reset();
    spdlog::info("stream={} motion detection off", stream_->name());
}

watch_stats motion_watch::stats() const {
    std::lock_guard lock(work_mutex_);
    return stats_;
}

void motion_watch::offered(frame_ptr f) {
    {
        std::lock_guard lock(slot_mutex_);
        if (waiting_) ++stats_skipped_pending_;
        waiting_ = std::move(f);
    }
    pool_.schedule(shared_from_this());
}

void motion_watch::status_changed(bool online) {
    {
        std::lock_guard lock(slot_mutex_);
        if (online == online_) return;
        online_ = online;
        if (!online) {
            went_offline_ = true;
            waiting_.reset();
        }
    }
    pool_.schedule(shared_from_this());
}

void motion_watch::tell(events::change c, const frame_ptr& snapshot) {
    const auto& t = tracker_.event();
    events::notice n;
    n.change = c;
    n.event.stream = stream_->name();
    n.event.id = t.start_us;
    n.event.start_us = t.start_us;
    n.event.end_us = c == events::change::ended ? std::max(t.last_motion_us, t.start_us + 1) : 0;
    n.event.peak_us = t.peak_us;
    n.event.score = t.peak_score;
    n.event.box = {t.peak_box.x, t.peak_box.y, t.peak_box.w, t.peak_box.h};
    n.event.width = width_;
    n.event.height = height_;
    n.snapshot = snapshot;
    if (c == events::change::started) {
        ++stats_.events;
        spdlog::info("stream={} motion event {} started (score {:.3f})", stream_->name(), t.start_us, t.peak_score);
    } else {
        spdlog::info("stream={} motion event {} ended after {:.1f} s (peak score {:.3f})", stream_->name(), t.start_us,
                     static_cast<double>(n.event.end_us - t.start_us) / 1e6, t.peak_score);
    }
    try {
        outputs_->deliver(n);
    } catch (const std::exception& e) {
        spdlog::error("stream={} motion event {} could not be delivered: {}", stream_->name(), t.start_us, e.what());
    }
}

void motion_watch::tick() {
    std::lock_guard lock(work_mutex_);
    if (stopped_) return;
    if (tracker_.quiet(unix_now_us()).ended) {
        tell(events::change::ended, peak_);
        peak_.reset();
        stats_.state = "still";
    }
}

void motion_watch::run() {
    frame_ptr picture;
    bool offline = false;
    std::uint64_t skipped = 0;
    {
        std::lock_guard lock(slot_mutex_);
        picture = std::move(waiting_);
        waiting_.reset();
        offline = std::exchange(went_offline_, false);
        skipped = std::exchange(stats_skipped_pending_, 0);
    }
    std::lock_guard lock(work_mutex_);
    if (stopped_) return;
    stats_.skipped += skipped;
    if (offline) {
        if (tracker_.offline().ended) tell(events::change::ended, peak_);
        detector_.reset();
        previous_.reset();
        peak_.reset();
        stats_.state = "offline";
        spdlog::info("stream={} motion detection paused: the camera is offline", stream_->name());
    }
    if (!picture) return;

    std::string why;
    jpeg_header_info full;
    int w = 0, h = 0;
    if (!decoder_.decode_grey_scaled(picture->jpeg(), look_width, grey_, w, h, full, &why)) {
        ++stats_.undecodable;
        if (!std::exchange(logged_undecodable_, true))
            spdlog::warn("stream={} motion detection skips a picture it cannot decode: {}", stream_->name(), sanitize_text(why));
        return;
    }
    width_ = full.width;
    height_ = full.height;
    ++stats_.pictures;
    const auto at = picture->capture_us();
    const auto s = detector_.look(grey_view{grey_.data(), w, h}, at);
    const auto v = tracker_.picture(s, at);
    if (v.ended) {
        tell(events::change::ended, peak_);
        peak_.reset();
    }
    if (v.new_peak == verdict::peak::current) peak_ = picture;
    if (v.new_peak == verdict::peak::previous) peak_ = previous_;
    if (v.started) tell(events::change::started, peak_);
    previous_ = picture;
    stats_.state = tracker_.active() ? "motion" : s.learning ? "learning" : "still";
}

}  // namespace wscam::motion
