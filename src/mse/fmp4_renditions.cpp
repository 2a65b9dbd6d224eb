#include "mse/fmp4_renditions.hpp"

#include "core/stream.hpp"
#include "transcode/h264_streams.hpp"

namespace wscam::mse {

std::shared_ptr<fmp4_rendition> fmp4_renditions::for_stream(const std::shared_ptr<stream>& source, rendition which) {
    std::lock_guard lock(mutex_);
    if (!source->removed().empty()) {
        // h264_streams gives a removed stream an output that has ended: this one ends with it.
        return fmp4_rendition::make(h264_.for_stream(source, which));
    }
    auto& r = renditions_[key{source.get(), which}];
    if (!r) r = fmp4_rendition::make(h264_.for_stream(source, which));
    return r;
}

std::vector<std::shared_ptr<frame_hub>> fmp4_renditions::forget(const stream* source) {
    std::vector<std::shared_ptr<frame_hub>> outputs;
    std::lock_guard lock(mutex_);
    for (const auto which : {rendition::full, rendition::reduced}) {
        const auto it = renditions_.find(key{source, which});
        if (it == renditions_.end()) continue;
        // Its encoder's output was removed already, which ended this one's (on_removed).
        it->second->output()->remove(source->removed());
        outputs.push_back(it->second->output());
        renditions_.erase(it);
    }
    return outputs;
}

}  // namespace wscam::mse
