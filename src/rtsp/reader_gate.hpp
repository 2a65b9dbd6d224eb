#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace wscam::rtsp {

/**
 * Which access units one RTSP reader is handed: the RTSP counterpart of access_unit_queue.
 *
 * A reader's units wait in its own queue (its pipeline's appsrc) until its connection takes
 * them; a reader that stops reading (TCP-interleaved RTP with a full socket) stops taking them.
 * So a reader starts at a keyframe and gets every unit after it, until more than `max_waiting`
 * wait: then the units are dropped (counted) until the queue has room again and a keyframe
 * comes, so a stalled reader holds at most `max_waiting` units and the others never wait for it.
 * A reader that stays stalled for `write_timeout` is to be cut off (timed_out()).
 *
 * Pure: the caller brings the queue's length and the time. Not thread-safe: one feeder.
 */
class reader_gate {
public:
    using clock = std::chrono::steady_clock;

    /** 8 units: a quarter second at 30 fps, as for a WebSocket viewer (access_unit_queue). */
    explicit reader_gate(std::size_t max_waiting = 8, clock::duration write_timeout = std::chrono::seconds(30))
        : max_waiting_(max_waiting ? max_waiting : 1), write_timeout_(write_timeout) {}

    enum class verdict {
        push,           // hand the unit to the reader
        wait,           // not yet started, or back from a stall: a keyframe first (ask the encoder for one)
        drop,           // the reader is behind: dropped, counted (ask the encoder for a keyframe)
    };

    /** A new unit, with how many units wait in the reader's queue now. */
    verdict offer(bool keyframe, std::size_t waiting, clock::time_point now);

    /** Whether the reader has been too far behind, without a break, for longer than the write timeout (0: never). */
    bool timed_out(clock::time_point now) const;

    std::uint64_t pushed() const { return pushed_; }
    /** Units dropped because the reader was behind (not those before its first keyframe). */
    std::uint64_t dropped() const { return dropped_; }
    /** Times it fell behind and went back to waiting for a keyframe. */
    std::uint64_t fell_behind() const { return fell_behind_; }

private:
    std::size_t max_waiting_;
    clock::duration write_timeout_;
    bool waiting_for_keyframe_ = true;
    bool behind_ = false;                          // dropping because the queue was full
    std::optional<clock::time_point> full_since_;  // the queue has been full since (a stall)
    std::uint64_t pushed_ = 0, dropped_ = 0, fell_behind_ = 0;
};

}  // namespace wscam::rtsp
