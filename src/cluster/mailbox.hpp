#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cluster/messages.hpp"

namespace wscam::cluster {

/**
 * What other threads hand a cluster node's thread, and its wake-up: announces and requests from
 * nats.c's delivery thread, a frame or status to send from a hub, the link going up or down, and
 * messages to publish (nats.c writes on the caller's thread, so only the cluster thread does).
 *
 * Invariant: every queue is bounded by count and by bytes, so a flood waits in the transport's
 * own bounded queues or is dropped here, and the memory a peer can pin is capped. A post never
 * waits for the cluster thread's work: the lock is held only to push (`push` is the one place
 * that locks, checks, pushes and notifies).
 */
class mailbox {
public:
    using clock = std::chrono::steady_clock;

    /** A message for the cluster thread to publish. */
    struct outgoing {
        std::string subject, text;
        std::string reply = {}, to_node = {}, to_epoch = {};  // to_*: a request, addressed to the owner's run
    };
    /** What one pass of the cluster thread takes. */
    struct batch {
        std::vector<announce> announces;
        std::vector<bool> link_events;  // up, down, in order
        std::vector<std::function<void()>> jobs;
        bool announce_asked = false;
    };

    static constexpr std::size_t max_queued = 4096;                  // jobs, and outgoing messages
    static constexpr std::size_t max_queued_bytes = 4 * 1024 * 1024;  // each of jobs and outgoing
    static constexpr std::size_t max_queued_announces = 256;          // a node sends one a second

    /** Something to do (`announce`: this node's announce is due). */
    void wake(bool announce = false);
    /** Runs `job` in the next pass; false when stopping or full (`bytes`: what it holds until it has run). */
    bool post(std::function<void()> job, std::size_t bytes = 0);
    /** Publishes `m` after the next pass; false (dropped) when stopping or full: an answer lost times out at the asker. */
    bool send(outgoing m);
    /** Another node's announce, parsed; false (the newest dropped) when a flood filled the queue. */
    bool deliver(announce a);
    void link_changed(bool up);

    /** Waits until woken or `until`; nullopt once stopping. */
    std::optional<batch> wait(clock::time_point until);
    /** The messages to publish, oldest first. */
    std::vector<outgoing> take_outgoing();

    /** From now on every wait returns nullopt and every post is refused. */
    void stop();
    /** Set by stop: a long pass checks it between items (SIGTERM does not wait for a flood). */
    bool stopping() const { return stop_requested_.load(std::memory_order_relaxed); }

private:
    /** Under the lock: `add` pushes (false: full); then wakes the cluster thread. */
    template <class Add>
    bool push(Add&& add) {
        {
            std::lock_guard lock(mutex_);
            if (stopped_ || !add()) return false;
            woken_ = true;
        }
        cv_.notify_one();
        return true;
    }

    std::mutex mutex_;  // held only for a moment
    std::condition_variable cv_;
    bool woken_ = false;
    bool stopped_ = false;
    std::atomic<bool> stop_requested_{false};
    batch next_;
    std::size_t job_bytes_ = 0;  // what the waiting jobs hold
    std::vector<outgoing> outgoing_;
    std::size_t outgoing_bytes_ = 0;
};

}  // namespace wscam::cluster
