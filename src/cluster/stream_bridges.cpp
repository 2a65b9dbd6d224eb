#include "cluster/stream_bridges.hpp"

#include <spdlog/spdlog.h>

#include "cluster/messages.hpp"
#include "core/client_message.hpp"
#include "core/publisher_message.hpp"

namespace wscam::cluster {

void owner_sink::on_frame(frame_ptr f) {
    if (remote_.load(std::memory_order_relaxed) == 0) return;
    {
        std::lock_guard lock(mutex_);
        pending_ = std::move(f);  // an older one not yet published is skipped: latest wins
    }
    hooks_.wake(false);
}

// While no other node watches, nobody needs a change: a node that starts watching gets the
// whole list then (cluster_node, new watchers).
void owner_sink::on_control_changed(const std::string& id, double value) {
    if (remote_.load(std::memory_order_relaxed) == 0) return;
    hooks_.to_relays(make_control_changed_message(stream_, id, value));
}

void owner_sink::on_controls_changed(const std::vector<control_info>& controls) {
    if (remote_.load(std::memory_order_relaxed) == 0) return;
    hooks_.to_relays(make_publisher_hello_message(controls));
}

void owner_sink::offer(frame_ptr f) {
    std::lock_guard lock(mutex_);
    pending_ = std::move(f);
}

frame_ptr owner_sink::take() {
    std::lock_guard lock(mutex_);
    return std::exchange(pending_, nullptr);
}

void remote_feed::set_owner(std::optional<std::pair<std::string, std::uint64_t>> owner) {
    std::lock_guard lock(mutex_);
    if (owner != owner_) last_sequence_ = 0;  // another owner, or another run of it: numbers start over
    owner_ = std::move(owner);
}

void remote_feed::on_message(const incoming& in) {
    std::string why;
    const auto f = check_relayed_frame(in.data, max_bytes_, max_pixels_, &why);
    if (!f) return refuse(why);
    {
        std::lock_guard lock(mutex_);
        // Only the chosen owner's frames, each once, in order.
        if (!owner_ || in.node != owner_->first || in.epoch != std::to_string(owner_->second)) return;
        if (f->sequence <= last_sequence_) return;
        last_sequence_ = f->sequence;
    }
    hub_->publish_numbered(frame::make_storage(f->jpeg), f->jpeg.size(), frame_info{f->width, f->height, f->capture_us},
                           f->sequence);
}

void remote_feed::refuse(const std::string& why) {
    hub_->count_rejected();
    std::uint64_t suppressed = 0;
    if (log_limit_.allow(rate_limit::clock::now(), suppressed))
        spdlog::warn("stream={} cluster: frame from the owner refused: {}", hub_->name(), why);
}

}  // namespace wscam::cluster
