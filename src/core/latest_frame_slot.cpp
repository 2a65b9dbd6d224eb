#include "core/latest_frame_slot.hpp"

namespace wscam {

void latest_frame_slot::offer(frame_ptr f) {
    // The hub's latest frame handed over on subscribe can race the next publish.
    if (!f || f->sequence() <= last_sequence_) return;
    last_sequence_ = f->sequence();
    if (pending_) ++dropped_;
    pending_ = std::move(f);
}

frame_ptr latest_frame_slot::start_write() {
    if (in_flight_ || !pending_) return nullptr;
    in_flight_ = std::move(pending_);
    pending_.reset();
    return in_flight_;
}

void latest_frame_slot::write_done() {
    if (!in_flight_) return;
    // Gaps count between frames actually sent: a write cut short by a close does not count.
    const auto seq = in_flight_->sequence();
    if (last_written_ != 0 && seq > last_written_ + 1) skipped_ += seq - last_written_ - 1;
    last_written_ = seq;
    in_flight_.reset();
    ++sent_;
}

}  // namespace wscam
