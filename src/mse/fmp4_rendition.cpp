#include "mse/fmp4_rendition.hpp"

#include <spdlog/spdlog.h>

#include "core/frame.hpp"
#include "core/stream.hpp"
#include "transcode/h264_stream.hpp"

namespace wscam::mse {

std::shared_ptr<fmp4_rendition> fmp4_rendition::make(std::shared_ptr<h264_stream> encoder) {
    auto self = std::make_shared<fmp4_rendition>(std::move(encoder));
    // The newest unit the subscription returns is not packaged: a viewer starts at the next keyframe.
    self->encoder_->output()->subscribe(self);
    return self;
}

fmp4_rendition::fmp4_rendition(std::shared_ptr<h264_stream> encoder) : encoder_(std::move(encoder)) {}

fmp4_rendition::~fmp4_rendition() { encoder_->output()->unsubscribe(this); }

fmp4_rendition::totals fmp4_rendition::counts() const {
    std::lock_guard lock(mutex_);
    return counts_;
}

void fmp4_rendition::on_frame(frame_ptr unit) {
    if (!unit || !unit->h264()) return;
    std::lock_guard lock(mutex_);
    if (output_->viewer_count() == 0) {
        waiting_for_keyframe_ = true;  // nobody to package for; who comes next starts at a keyframe
        return;
    }
    if (waiting_for_keyframe_ && !unit->keyframe()) {
        ++counts_.waited;
        return;
    }
    try {
        package(unit);
    } catch (const fmp4_error& e) {
        // Our own encoder's output: not expected. The next keyframe starts a new muxer.
        ++counts_.failed;
        muxer_.reset();
        waiting_for_keyframe_ = true;
        if (last_error_ != e.what())
            spdlog::warn("fmp4 stream={} {}x{}: {}", encoder_->source()->name(), unit->width(), unit->height(), e.what());
        last_error_ = e.what();
    }
}

void fmp4_rendition::package(const frame_ptr& unit) {
    const auto au = unit->payload();
    auto storage = frame::make_storage(0);
    storage.reserve(frame::header_size + 1024 + au.size());  // the boxes around the unit are a few hundred bytes
    if (unit->keyframe()) {
        muxer_ = std::make_unique<fmp4_muxer>(au, unit->width(), unit->height(), muxer_.get());
        ++counts_.muxers;
        storage.insert(storage.end(), muxer_->init().begin(), muxer_->init().end());
    }
    muxer_->add(au, unit->capture_us(), unit->keyframe(), storage);
    waiting_for_keyframe_ = false;
    ++counts_.packaged;
    const auto size = storage.size() - frame::header_size;
    const frame_info info{unit->width(), unit->height(), unit->capture_us(), frame::header_type_fmp4, unit->keyframe()};
    output_->publish_numbered(std::move(storage), size, info, unit->sequence());
}

}  // namespace wscam::mse
