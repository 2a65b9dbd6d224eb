#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "cluster/transport.hpp"
#include "cluster/owner_sequence.hpp"
#include "codec/jpeg_codec.hpp"
#include "core/stream.hpp"
#include "core/rate_limit.hpp"

namespace wscam::cluster {

/**
 * The owner's end of a stream's path through NATS: a subscriber of the local hub that counts
 * the other nodes' viewers as its own (so the camera captures while anyone in the cluster
 * watches), keeps the newest frame for the cluster thread to publish (latest wins), and passes
 * the stream's control changes on to the relays while some node watches.
 */
class owner_sink : public frame_sink {
public:
    struct hooks {
        std::function<void(bool announce)> wake;           // a frame to publish, or (true) a status to announce
        std::function<void(std::string text)> to_relays;  // a message for the stream's controls subject
    };
    owner_sink(std::string stream, hooks h) : stream_(std::move(stream)), hooks_(std::move(h)) {}

    void on_frame(frame_ptr f) override;
    void on_status(const stream_status&) override { hooks_.wake(true); }
    void on_control_changed(const std::string& id, double value) override;
    void on_controls_changed(const std::vector<control_info>& controls) override;
    std::size_t viewers() const override { return remote_.load(std::memory_order_relaxed); }

    /** The viewers on other nodes; true when the number changed. */
    bool set_remote(std::size_t n) { return remote_.exchange(n) != n; }
    void offer(frame_ptr f);
    frame_ptr take();

private:
    std::string stream_;
    hooks hooks_;
    std::atomic<std::size_t> remote_{0};
    std::mutex mutex_;
    frame_ptr pending_;
};

/**
 * A relay's end: feeds a remote stream's hub from its frame subscription (on nats.c's delivery
 * thread), only the chosen owner's frames of its current run, each once and in order
 * (owner_sequence), each checked like a camera's frame (check_relayed_frame) before it is
 * published. The hub numbers them itself: its viewers' numbers never go back when the owner
 * restarts or another node takes over; the owner's capture time is kept.
 */
class remote_feed {
public:
    /** `signed_cluster`: messages are signed (a cluster secret), so a frame behind the last is a replay (owner_sequence). */
    remote_feed(std::shared_ptr<stream> hub, std::size_t max_bytes, std::uint64_t max_pixels, bool signed_cluster)
        : hub_(std::move(hub)), max_bytes_(max_bytes), max_pixels_(max_pixels), sequence_(!signed_cluster) {}

    void set_owner(std::optional<std::pair<std::string, std::uint64_t>> owner);
    /** A new subscription: the owner's numbers went on without us, the next frame sets the baseline. */
    void restart();
    void on_message(const incoming& in);

private:
    void refuse(const std::string& why);

    std::shared_ptr<stream> hub_;
    std::size_t max_bytes_;
    std::uint64_t max_pixels_;
    std::mutex mutex_;
    std::optional<std::pair<std::string, std::uint64_t>> owner_;
    std::string owner_epoch_;  // owner_'s epoch as its Wscam-Epoch header says it: compared with every frame
    owner_sequence sequence_;
    jpeg_decoder decoder_;  // reads each JPEG's header; under mutex_ (one delivery thread, but a subscription may change)
    rate_limit log_limit_{std::chrono::seconds(5)};
};

}  // namespace wscam::cluster
