#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

#include "core/frame.hpp"

namespace wscam {

/**
 * Per-viewer delivery of an inter-coded stream (H.264 access units): the counterpart of
 * latest_frame_slot for frames that depend on the ones before them.
 *
 * A JPEG viewer may skip any frame; an H.264 viewer may not, or its picture breaks until the
 * next keyframe. So a viewer starts at a keyframe, gets every access unit after it in order,
 * and when it falls too far behind (more than `max_pending` units waiting) it drops what is
 * waiting and waits for the next keyframe instead of queueing without bound. A keyframe also
 * makes everything still waiting unnecessary: it goes first, the older units are dropped.
 * offer() says when the viewer waits for a keyframe, so the caller can ask the encoder for one.
 * Not thread-safe: it lives on its viewer's thread.
 */
class access_unit_queue {
public:
    /** Up to 8 units (a quarter second at 30 fps): a keyframe several times larger than the
        others may take a slow link that long, and the viewer then catches up. */
    explicit access_unit_queue(std::size_t max_pending = 8) : max_pending_(max_pending ? max_pending : 1) {}

    /**
     * A new access unit. Returns true while the viewer waits for a keyframe (this unit was not
     * one, or it fell behind just now): the encoder should be asked for one. Units not newer
     * than one already accepted are ignored.
     */
    bool offer(frame_ptr unit);

    /** When nothing is being written, moves the oldest waiting unit in flight and returns it; else null. */
    frame_ptr start_write();
    /** The in-flight unit was written. */
    void write_done();

    /** Drops what waits and waits for a keyframe (the viewer paused, or its decoder asked to start over). */
    void restart();

    bool waiting_for_keyframe() const { return waiting_; }
    bool writing() const { return static_cast<bool>(in_flight_); }
    std::size_t pending() const { return pending_.size(); }
    std::uint64_t sent() const { return sent_; }
    /** Units this viewer did not get (waiting for a keyframe, or dropped for one). */
    std::uint64_t skipped() const { return skipped_; }
    /** Times the viewer fell behind by more than max_pending units and went back to waiting. */
    std::uint64_t fell_behind() const { return fell_behind_; }

private:
    std::size_t max_pending_;
    std::deque<frame_ptr> pending_;
    frame_ptr in_flight_;
    bool waiting_ = true;
    std::uint64_t last_sequence_ = 0;
    std::uint64_t sent_ = 0;
    std::uint64_t skipped_ = 0;
    std::uint64_t fell_behind_ = 0;
};

}  // namespace wscam
