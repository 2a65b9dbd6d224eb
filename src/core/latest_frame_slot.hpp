#pragma once

#include <cstdint>

#include "core/frame.hpp"

namespace wscam {

/**
 * Per-viewer delivery state: at most one frame being written and one pending.
 *
 * A newer frame replaces the pending one and counts a drop, so a slow viewer skips frames
 * instead of queueing them, and holds at most two frames whatever it does.
 * Not thread-safe: it lives on its viewer's strand.
 */
class latest_frame_slot {
public:
    /**
     * A new frame is available: it becomes the pending one (a pending frame it replaces is
     * counted as dropped). Frames not newer than one already accepted are ignored.
     */
    void offer(frame_ptr f);

    /** When nothing is being written, moves the pending frame in flight and returns it; else null. */
    frame_ptr start_write();

    /** The in-flight frame was written. */
    void write_done();

    /** Forgets the pending frame (the viewer paused); not counted as a drop. */
    void clear_pending() { pending_.reset(); }

    bool writing() const { return static_cast<bool>(in_flight_); }
    bool has_pending() const { return static_cast<bool>(pending_); }
    std::uint64_t sent() const { return sent_; }
    std::uint64_t dropped() const { return dropped_; }
    /**
     * Sequence numbers skipped between the frames this viewer was actually sent: exactly the
     * gaps the viewer itself can see (unlike dropped(), which also counts frames replaced after
     * the last write).
     */
    std::uint64_t skipped() const { return skipped_; }

private:
    frame_ptr in_flight_;
    frame_ptr pending_;
    std::uint64_t last_sequence_ = 0;  // newest sequence accepted; hub sequences start at 1
    std::uint64_t sent_ = 0;
    std::uint64_t dropped_ = 0;
    std::uint64_t last_written_ = 0;
    std::uint64_t skipped_ = 0;
};

}  // namespace wscam
