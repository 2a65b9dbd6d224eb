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
 * Backwards, with `backward` false: never. The owner numbers each stream's frames per run of
 * itself (cluster_node), so within one (node, epoch) a number never goes back; a frame behind
 * the last one is a replay. With a cluster secret nobody else can sign a frame, so the only
 * frames behind are replays of the owner's own (signatures are good for a minute): refusing
 * them all keeps a peer who recorded the stream from replacing it with the past. Without a
 * secret (`backward` true) anyone can forge a run far ahead; moving back after `confirm` of the
 * owner's frames is then what lets the owner win its stream back when the forger stops.
 *
 * Pure and not thread-safe: the feed that owns it holds its lock.
 */
class owner_sequence {
public:
    explicit owner_sequence(bool backward = true, std::uint64_t window = 300, unsigned confirm = 3)
        : backward_(backward), window_(window), confirm_(confirm) {}

    enum class verdict {
        accept,     // in order: pass it on
        resync,     // the confirm-th frame of a run elsewhere: the baseline moved there; pass it on
        repeat,     // the number last accepted again (an owner's resend to a new watcher): drop quietly
        refuse,     // behind, or too far ahead: drop (and say so, rate-limited)
        replay,     // behind while going back is not allowed: drop
    };
    verdict offer(std::uint64_t sequence);

    /** A new owner, a new run of it, or a new subscription: the next frame sets the baseline. */
    void reset() { *this = owner_sequence(backward_, window_, confirm_); }

    std::uint64_t last() const { return last_; }

private:
    bool follows(std::uint64_t before, std::uint64_t sequence) const {
        return sequence > before && sequence - before <= window_;
    }

    bool backward_;
    std::uint64_t window_;
    unsigned confirm_;
    std::uint64_t last_ = 0;  // 0: nothing accepted yet (owners number from 1)
    std::uint64_t candidate_last_ = 0;
    unsigned candidate_count_ = 0;
};

}  // namespace wscam::cluster
