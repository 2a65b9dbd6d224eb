#pragma once

#include <map>
#include <string>

namespace wscam::record {

/**
 * The cluster's word on which of this node's streams it may record or keep a timelapse of
 * (cluster_state::should_record): a held stream is kept by another node serving a stream of that
 * name. Outside a cluster nothing is held; in one, every stream is held until the cluster has
 * said otherwise (hold_until_told), so a node never records what another already does. Not
 * thread-safe: its owner's mutex guards it.
 */
class cluster_holds {
public:
    void hold_until_told() { by_default_ = true; }
    bool held(const std::string& stream) const {
        const auto it = told_.find(stream);
        return it == told_.end() ? by_default_ : it->second;
    }
    /** Takes the cluster's word for `stream`; true when it changes whether the stream is held. */
    bool tell(const std::string& stream, bool hold) {
        const bool was = held(stream);
        told_[stream] = hold;
        return hold != was;
    }

private:
    std::map<std::string, bool> told_;
    bool by_default_ = false;
};

}  // namespace wscam::record
