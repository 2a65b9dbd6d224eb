#include "cluster/stream_bridges.hpp"

#include <spdlog/spdlog.h>

#include "cluster/messages.hpp"
#include "protocol/viewer_message.hpp"
#include "protocol/publisher_message.hpp"

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
    if (owner != owner_) sequence_.reset();  // another owner, or another run of it: numbers start over
    owner_ = std::move(owner);
    owner_epoch_ = owner_ ? std::to_string(owner_->second) : std::string();
}

void remote_feed::restart() {
    std::lock_guard lock(mutex_);
    sequence_.reset();
}

void remote_feed::on_message(const incoming& in) {
    std::string why;
    std::optional<relayed_frame> f;
    {
        std::lock_guard lock(mutex_);
        // Only the chosen owner's frames (checked first: the cheapest test, and the others' are not ours to count).
        if (!owner_ || in.node != owner_->first || in.epoch != owner_epoch_) return;
        f = check_relayed_frame(in.data, max_bytes_, max_pixels_, decoder_, &why);
        if (f) {
            switch (sequence_.offer(f->sequence)) {
            case owner_sequence::verdict::accept: break;
            case owner_sequence::verdict::repeat: return;
            case owner_sequence::verdict::resync: {
                std::uint64_t held = 0;
                if (log_limit_.allow(rate_limit::clock::now(), held))
                    spdlog::info("stream={} cluster: the owner's frame numbers moved to {}: following them", hub_->name(),
                                 f->sequence);
                break;
            }
            case owner_sequence::verdict::refuse:
                why = "frame number " + std::to_string(f->sequence) + " is far from the owner's last (" +
                      std::to_string(sequence_.last()) + "): a stale or forged frame";
                f.reset();
                break;
            case owner_sequence::verdict::replay:
                why = "frame number " + std::to_string(f->sequence) + " is behind the owner's last (" +
                      std::to_string(sequence_.last()) + "): a replay";
                f.reset();
                break;
            }
        }
    }
    if (!f) return refuse(why);
    // The hub's own numbers (see the class comment); the owner's capture time.
    hub_->publish(frame::make_storage(f->jpeg), f->jpeg.size(), frame_info{f->width, f->height, f->capture_us});
}

void remote_feed::refuse(const std::string& why) {
    hub_->count_rejected();
    std::uint64_t suppressed = 0;
    if (log_limit_.allow(rate_limit::clock::now(), suppressed))
        spdlog::warn("stream={} cluster: frame from the owner refused: {}", hub_->name(), why);
}

}  // namespace wscam::cluster
