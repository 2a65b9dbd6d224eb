#include "rtsp/rtsp_feed.hpp"

#include <algorithm>

#include "core/stream.hpp"
#include "transcode/h264_stream.hpp"

namespace wscam::rtsp {

// The feed's readers as viewers of the stream itself, so its source captures while they read.
class rtsp_feed::demand_tap final : public frame_sink {
public:
    explicit demand_tap(const rtsp_feed* feed) : feed_(feed) {}
    void on_frame(frame_ptr) override {}
    void on_status(const stream_status&) override {}
    std::size_t viewers() const override { return feed_->readers_now_.load(std::memory_order_relaxed); }

private:
    const rtsp_feed* feed_;  // the feed unsubscribes this before it goes
};

rtsp_feed::rtsp_feed(std::shared_ptr<stream> source, std::shared_ptr<h264_stream> encoder, settings s)
    : source_(std::move(source)), encoder_(std::move(encoder)), settings_(s), tap_(std::make_shared<demand_tap>(this)) {}

rtsp_feed::~rtsp_feed() {
    encoder_->output()->unsubscribe(this);
    source_->unsubscribe(tap_.get());
}

void rtsp_feed::attach() {
    encoder_->output()->subscribe(shared_from_this());  // the newest unit it returns is not handed on: readers start at a keyframe
    source_->subscribe(tap_);
}

bool rtsp_feed::add(std::shared_ptr<unit_reader> reader, std::string* why) {
    // The encoder first: a reader it cannot serve is never counted (it kept a camera on for nobody).
    if (!encoder_->start(why)) return false;
    {
        std::lock_guard lock(mutex_);
        if (removed_) {
            if (why) *why = "the stream was removed";
            return false;
        }
        readers_.push_back(member{std::move(reader), reader_gate(settings_.max_waiting, settings_.write_timeout)});
        readers_now_.store(readers_.size(), std::memory_order_relaxed);
    }
    changed_demand();
    encoder_->request_keyframe(keyframe_requests::kind::join);
    return true;
}

void rtsp_feed::remove(const unit_reader* reader) {
    {
        std::lock_guard lock(mutex_);
        std::erase_if(readers_, [&](const member& m) { return m.reader.get() == reader; });
        readers_now_.store(readers_.size(), std::memory_order_relaxed);
    }
    changed_demand();
}

void rtsp_feed::changed_demand() {
    encoder_->output()->demand_changed();
    source_->demand_changed();
}

void rtsp_feed::on_frame(frame_ptr unit) {
    if (!unit || !unit->h264()) return;
    const auto now = reader_gate::clock::now();
    bool want_keyframe = false;
    std::lock_guard lock(mutex_);
    for (auto& m : readers_) {
        switch (m.gate.offer(unit->keyframe(), m.reader->waiting(), now)) {
        case reader_gate::verdict::push:
            m.reader->push(unit);
            ++counts_.units;
            counts_.bytes += unit->payload().size();
            break;
        case reader_gate::verdict::drop:
            ++counts_.dropped;
            want_keyframe = true;
            if (!m.cut && m.gate.timed_out(now)) {
                m.cut = true;
                ++counts_.cut_off;
                m.reader->cut_off("it took no video for the write timeout (--write-timeout)");
            }
            break;
        case reader_gate::verdict::wait:
            want_keyframe = true;
            break;
        }
    }
    if (want_keyframe) encoder_->request_keyframe(keyframe_requests::kind::resync);
}

void rtsp_feed::tick() {
    const auto now = reader_gate::clock::now();
    std::lock_guard lock(mutex_);
    for (auto& m : readers_) {
        if (m.cut || !m.gate.timed_out(now)) continue;
        m.cut = true;
        ++counts_.cut_off;
        m.reader->cut_off("it took no video for the write timeout (--write-timeout)");
    }
}

void rtsp_feed::on_removed(const std::string& reason) {
    std::lock_guard lock(mutex_);
    removed_ = true;
    for (auto& m : readers_) m.reader->cut_off(reason);
}

rtsp_feed::totals rtsp_feed::counts() const {
    std::lock_guard lock(mutex_);
    auto t = counts_;
    t.readers = readers_.size();
    return t;
}

}  // namespace wscam::rtsp
