#include "cluster/owner_sequence.hpp"

namespace wscam::cluster {

owner_sequence::verdict owner_sequence::offer(std::uint64_t sequence) {
    if (last_ == 0 || follows(last_, sequence)) {
        last_ = sequence;
        candidate_count_ = 0;
        return verdict::accept;
    }
    if (sequence == last_) return verdict::repeat;
    if (!backward_ && sequence < last_) return verdict::replay;
    // Behind, or too far ahead: one more of a run elsewhere, or the start of one.
    if (candidate_count_ > 0 && follows(candidate_last_, sequence)) {
        ++candidate_count_;
    } else {
        candidate_count_ = 1;
    }
    candidate_last_ = sequence;
    if (candidate_count_ < confirm_) return verdict::refuse;
    last_ = sequence;
    candidate_count_ = 0;
    return verdict::resync;
}

}  // namespace wscam::cluster
