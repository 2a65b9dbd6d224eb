#include "transcode/h264_streams.hpp"

namespace wscam {

h264_streams::h264_streams(h264_settings settings, std::size_t max_streams)
    : settings_(std::move(settings)),
      reduced_(settings_.slow_link_kbps > 0 ? settings_.for_slow_links() : settings_),
      slots_(std::make_shared<h264_slots>(max_streams)) {}

h264_streams::~h264_streams() { stop_all(); }

std::shared_ptr<h264_stream> h264_streams::for_stream(const std::shared_ptr<stream>& source, rendition which) {
    const auto& settings = which == rendition::full ? settings_ : reduced_;
    std::lock_guard lock(mutex_);
    // A stream being removed gets no entry (forget() may have run already): a rendition of its
    // own that never starts, its output removed too, so that no viewer group is kept for it.
    if (const auto why = source->removed(); !why.empty()) {
        auto gone = std::make_shared<h264_stream>(source, which, settings, slots_);
        gone->stop();
        gone->output()->remove(why);
        return gone;
    }
    auto& s = streams_[key{source.get(), which}];
    if (!s) s = std::make_shared<h264_stream>(source, which, settings, slots_);
    return s;
}

std::vector<std::shared_ptr<frame_hub>> h264_streams::forget(const stream* source) {
    std::vector<std::shared_ptr<h264_stream>> gone;
    {
        std::lock_guard lock(mutex_);
        for (const auto which : {rendition::full, rendition::reduced}) {
            const auto it = streams_.find(key{source, which});
            if (it == streams_.end()) continue;
            gone.push_back(std::move(it->second));
            streams_.erase(it);
        }
    }
    std::vector<std::shared_ptr<frame_hub>> outputs;
    for (auto& s : gone) {
        s->stop();
        // Removed before the server forgets its groups: a viewer joining meanwhile makes none.
        s->output()->remove(source->removed());
        outputs.push_back(s->output());
    }
    return outputs;
}

std::size_t h264_streams::size() {
    std::lock_guard lock(mutex_);
    return streams_.size();
}

void h264_streams::stop_all() {
    std::map<key, std::shared_ptr<h264_stream>> all;
    {
        std::lock_guard lock(mutex_);
        all.swap(streams_);
    }
    for (auto& [hub, s] : all) s->stop();
}

}  // namespace wscam
