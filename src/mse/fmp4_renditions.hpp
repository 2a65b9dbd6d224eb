#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "mse/fmp4_rendition.hpp"
#include "transcode/rendition_choice.hpp"

namespace wscam {
class frame_hub;
class h264_streams;
class stream;
}  // namespace wscam

namespace wscam::mse {

/**
 * Every stream's fMP4 packaging, one per H.264 rendition, each made on first use over the
 * rendition h264_streams keeps (never an encoder of its own). A stream being removed gets one
 * that is ended at once and not kept, as h264_streams does.
 */
class fmp4_renditions {
public:
    explicit fmp4_renditions(h264_streams& h264) : h264_(h264) {}

    std::shared_ptr<fmp4_rendition> for_stream(const std::shared_ptr<stream>& source, rendition which);
    /** The stream was removed (after h264_streams::forget): returns the output hubs, whose viewer groups go too. */
    std::vector<std::shared_ptr<frame_hub>> forget(const stream* source);

private:
    using key = std::pair<const stream*, rendition>;
    h264_streams& h264_;
    std::mutex mutex_;
    std::map<key, std::shared_ptr<fmp4_rendition>> renditions_;
};

}  // namespace wscam::mse
