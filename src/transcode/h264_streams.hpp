#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "transcode/h264_stream.hpp"

namespace wscam {

/**
 * Every stream's H.264 renditions, each made on first use; `max_streams` 0 turns H.264 off.
 * Each running rendition is an encoder and holds one of the `max_streams` slots.
 */
class h264_streams {
public:
    h264_streams(h264_settings settings, std::size_t max_streams);
    ~h264_streams();

    bool enabled() const { return slots_->max() > 0; }
    /** Whether slow viewers may be moved to a reduced rendition (--h264-slow-link-bitrate > 0). */
    bool has_reduced() const { return settings_.slow_link_kbps > 0; }
    const h264_settings& settings() const { return settings_; }
    std::shared_ptr<h264_stream> for_stream(const std::shared_ptr<stream>& source,
                                            rendition which = rendition::full);
    /**
     * The stream was removed (stream::remove, before this): its encoders stop and their
     * outputs are removed. Returns the output hubs (their viewer groups go too). A removed
     * stream gets no entry in for_stream(), so none outlives this.
     */
    std::vector<std::shared_ptr<frame_hub>> forget(const stream* source);
    /** Renditions kept (made so far and not forgotten). */
    std::size_t size();
    /** Stops every encoder (server shutdown). */
    void stop_all();
    /** Encoders running now (renditions being encoded). */
    std::size_t running() const { return slots_->used(); }

private:
    using key = std::pair<const stream*, rendition>;
    h264_settings settings_;
    h264_settings reduced_;
    std::shared_ptr<h264_slots> slots_;
    std::mutex mutex_;
    std::map<key, std::shared_ptr<h264_stream>> streams_;
};

}  // namespace wscam
