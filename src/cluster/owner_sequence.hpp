#pragma once

#include <cstdint>

namespace wscam::cluster {

/**
 * Which of an owner's frames a relay passes on, by the owner's sequence numbers: each frame
 * once and in order within one run of the owner.
 *
 * The owner's numbers only order its frames here; the relay's hub numbers what it publishes
 * itself, so its viewers never see a number go back when the owner restarts or another node
 * takes over (they would drop every frame until the new numbers passed the old ones).
 *
 * A number far from the last one cannot hold the stream: anyone who can publish on the
 * cluster's NATS can copy the owner's node and epoch headers from its public announce, and one
 * frame numbered 2^64-1 would otherwise make every later frame "old". A frame more than
 * `window` ahead of the last one accepted, or behind it, starts a candidate run instead; only
 * `confirm` frames in a row that follow each other within the window move the baseline there.
 * So a forged frame (or a few unrelated ones) is refused while the owner's frames keep flowing,
 * and a real jump (a corrupt baseline, a run the relay missed) costs confirm-1 frames.
 *
 * Pure and not thread-safe: the feed that owns it holds its lock.
 */
class owner_sequence {
public:
    explicit owner_sequence(std::uint64_t window = 300, unsigned confirm = 3) : window_(window), confirm_(confirm) {}

    enum class verdict {
        accept,     // in order: pass it on
        resync,     // the confirm-th frame of a run elsewhere: the baseline moved there; pass it on
        repeat,     // the number last accepted again (an owner's resend to a new watcher): drop quietly
        refuse,     // behind, or too far ahead: drop (and say so, rate-limited)
    };
    verdict offer(std::uint64_t sequence);

    /** A new owner, a new run of it, or a new subscription: the next frame sets the baseline. */
    void reset() { *this = owner_sequence(window_, confirm_); }

    std::uint64_t last() const { return last_; }

private:
    bool follows(std::uint64_t before, std::uint64_t sequence) const {
        return sequence > before && sequence - before <= window_;
    }

    std::uint64_t window_;
    unsigned confirm_;
    std::uint64_t last_ = 0;  // 0: nothing accepted yet (owners number from 1)
    std::uint64_t candidate_last_ = 0;
    unsigned candidate_count_ = 0;
};

}  // namespace wscam::cluster
