#include "transcode/h264_stream.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include "codec/h264_bitstream.hpp"
#include "core/rate_limit.hpp"
#include "transcode/size_change_gate.hpp"

namespace wscam {
namespace {

constexpr auto idle_linger = std::chrono::seconds(1);  // no viewer this long: the encoder ends

}  // namespace

bool h264_slots::acquire() {
    auto used = used_.load(std::memory_order_acquire);
    while (used < max_)
        if (used_.compare_exchange_weak(used, used + 1, std::memory_order_acq_rel)) return true;
    return false;
}

/**
 * The stream's subscription to its source: hands each JPEG to the worker. The hub may call it
 * (from a source thread) after the h264_stream is gone, so it reaches its owner only while attached.
 */
class h264_stream::input : public frame_sink {
public:
    explicit input(h264_stream* owner) : owner_(owner) {}
    void detach() {
        std::lock_guard lock(mutex_);
        owner_ = nullptr;
    }
    void on_frame(frame_ptr f) override {
        std::lock_guard lock(mutex_);
        if (owner_) owner_->offer(std::move(f));
    }
    void on_status(const stream_status&) override {}
    std::size_t viewers() const override { return 0; }  // its viewers are counted by their own groups

private:
    std::mutex mutex_;
    h264_stream* owner_;
};

struct h264_stream::work {
    jpeg_to_yuv decoder;
    yuv420_image picture;
    std::unique_ptr<h264_encoder> encoder;
    size_change_gate sizes;  // when the encoder is reopened at a new size
    rate_limit error_log{std::chrono::seconds(10)};
    rate_limit open_log{std::chrono::seconds(5)};  // the first opening, then at most one line per 5 s
};

h264_stream::h264_stream(std::shared_ptr<stream> source, wscam::rendition which, h264_settings settings,
                         std::shared_ptr<h264_slots> slots)
    : source_(std::move(source)), output_(std::make_shared<frame_hub>()), rendition_(which),
      settings_(std::move(settings)), slots_(std::move(slots)), input_(std::make_shared<input>(this)) {}

h264_stream::~h264_stream() {
    stop();
    input_->detach();
}

bool h264_stream::running() const {
    std::lock_guard lock(mutex_);
    return running_;
}

bool h264_stream::start(std::string* why) {
    std::lock_guard lock(mutex_);
    if (running_) return true;
    if (stopped_) {
        if (why) *why = "the stream is being removed";
        return false;
    }
    if (!slots_->acquire()) {
        if (why)
            *why = "the server already encodes " + std::to_string(slots_->max()) + " stream" +
                   (slots_->max() == 1 ? "" : "s") + " in H.264 (--h264-max-streams)";
        return false;
    }
    if (thread_.joinable()) thread_.join();  // a worker that ended when its viewers left
    running_ = true;
    // Subscribed here, under the lock, so that a worker ending at the same time cannot undo it.
    // The source's newest JPEG starts the encoder at once, unless it is stale: a camera that idled
    // while nobody watched kept its last picture, and encoded now it would be a keyframe from
    // before the pause, followed by pictures seconds later (players that place pictures on a
    // timeline, such as MSE, drop everything after such a gap until the next keyframe).
    newest_ = source_->subscribe(input_);
    if (newest_ && unix_now_us() - newest_->capture_us() > max_start_age_us) newest_.reset();
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
    return true;
}

void h264_stream::stop() {
    std::jthread worker;
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
        worker = std::move(thread_);
    }
    if (worker.joinable()) {
        worker.request_stop();
        worker.join();
    }
}

void h264_stream::offer(frame_ptr jpeg) {
    {
        std::lock_guard lock(mutex_);
        if (!running_) return;
        if (newest_) skipped_.fetch_add(1, std::memory_order_relaxed);  // still busy with the one before: latest wins
        newest_ = std::move(jpeg);
    }
    wake_.notify_one();
}

frame_ptr h264_stream::take_newest(std::stop_token& stop, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, stop, timeout, [this] { return newest_ != nullptr; });
    return std::exchange(newest_, nullptr);
}

bool h264_stream::keep_running(bool stopping) {
    std::lock_guard lock(mutex_);
    if (!stopping && !stopped_ && output_->viewer_count() > 0) return true;  // a viewer came just now
    source_->unsubscribe(input_.get());
    newest_.reset();
    slots_->release();
    running_ = false;
    return false;
}

void h264_stream::run(std::stop_token stop) {
    // "h264 NAME" in top -H and /proc: x264's own threads, made from this one, take the name too.
    pthread_setname_np(pthread_self(), ("h264 " + source_->name()).substr(0, 15).c_str());
    spdlog::info("h264 encoder started stream={} rendition={} preset={} {}{}", source_->name(), to_string(rendition_),
                 settings_.preset,
                 settings_.bitrate_kbps ? fmt::format("bitrate={}k", settings_.bitrate_kbps)
                                        : fmt::format("crf={}", settings_.crf),
                 settings_.max_kbps ? fmt::format(" max={}k", settings_.max_kbps) : std::string());
    work w;
    auto last_viewer = std::chrono::steady_clock::now();
    for (;;) {
        const auto jpeg = take_newest(stop, std::chrono::milliseconds(250));
        if (stop.stop_requested()) {
            keep_running(true);
            break;
        }
        const auto now = std::chrono::steady_clock::now();
        if (output_->viewer_count() > 0) {
            last_viewer = now;
        } else if (now - last_viewer >= idle_linger) {
            if (!keep_running(false)) break;
            last_viewer = now;
        }
        if (!jpeg) continue;
        // Nothing a camera sends may end the worker: a bad picture is skipped, and logged.
        try {
            encode_one(jpeg, w);
        } catch (const std::exception& e) {
            warn(w, e.what(), now);
            w.encoder.reset();  // x264 failed: the next picture opens a new one
            w.sizes.close();
        }
    }
    spdlog::info("h264 encoder stopped stream={} rendition={} pictures={} keyframes={} skipped={} other_size={}",
                 source_->name(), to_string(rendition_), encoded(), keyframes(), skipped(), w.sizes.skipped());
}

void h264_stream::warn(work& w, const std::string& what, std::chrono::steady_clock::time_point now) {
    std::uint64_t suppressed = 0;
    if (w.error_log.allow(now, suppressed))
        spdlog::warn("h264 stream={}: {}{}", source_->name(), what,
                     suppressed ? fmt::format(" ({} more since)", suppressed) : std::string());
}

void h264_stream::open_encoder(work& w, std::chrono::steady_clock::time_point now) {
    w.encoder.reset();  // a new size starts a new sequence, with an IDR
    const double fps = source_->info().fps;
    w.encoder = std::make_unique<h264_encoder>(w.picture.width, w.picture.height, fps, settings_);
    std::uint64_t suppressed = 0;
    if (w.open_log.allow(now, suppressed))
        spdlog::info("h264 encoder open stream={} rendition={} {}x{} {}{}", source_->name(), to_string(rendition_),
                     w.picture.width, w.picture.height, w.encoder->codec_string(),
                     suppressed ? fmt::format(" (reopened {} more times since; {} pictures of another size skipped so far)",
                                              suppressed, w.sizes.skipped())
                                : std::string());
}

void h264_stream::encode_one(const frame_ptr& jpeg, work& w) {
    std::string error;
    auto now = std::chrono::steady_clock::now();
    // A picture that does not decode is skipped; the encoder keeps its size and sequence.
    if (!w.decoder.decode(jpeg->jpeg(), w.picture, &error, settings_.max_width, settings_.max_pixels))
        return warn(w, "cannot decode a JPEG: " + error, now);
    switch (w.sizes.decide(w.picture.width, w.picture.height, now)) {
    case size_change_gate::verdict::skip:
        return;  // another size than the encoder's, not (yet) for good
    case size_change_gate::verdict::reopen:
        open_encoder(w, now);
        break;
    case size_change_gate::verdict::encode:
        break;
    }
    now = std::chrono::steady_clock::now();
    const bool force = requests_.decide(now);
    auto au = w.encoder->encode(w.picture, force);
    requests_.encoded(au.keyframe, now);
    if (!au.size) return;
    encoded_.fetch_add(1, std::memory_order_relaxed);
    if (au.keyframe) keyframes_.fetch_add(1, std::memory_order_relaxed);
    const frame_info info{static_cast<std::uint16_t>(w.picture.width), static_cast<std::uint16_t>(w.picture.height),
                          jpeg->capture_us(), frame::header_type_h264, au.keyframe};
    output_->publish_numbered(std::move(au.storage), au.size, info, jpeg->sequence());
}

}  // namespace wscam
