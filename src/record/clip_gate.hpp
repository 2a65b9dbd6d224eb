#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "core/frame.hpp"

namespace wscam::record {

/**
 * What an events recording (`record = "events"`) keeps of a stream's pictures: only clips, each
 * with the seconds before its start (pre-roll, held in memory since no one knew a clip would
 * come) and after its stop (post-roll). Pure: driven by the pictures and by start()/stop() with
 * times on the capture clock (Unix µs), so the rules are tested alone; the recorder writes what
 * it is handed and ends its segment when told.
 *
 * Rules:
 *  - No clip open: each picture is held as pre-roll, then dropped once it is older than
 *    `preroll_us` behind the newest, or the held bytes pass `max_bytes`. An H.264 pre-roll
 *    starts at a keyframe (a decoder cannot start elsewhere): it keeps the newest keyframe at
 *    or before the pre-roll's start, so it may reach further back, up to the keyframe interval.
 *  - start(): a clip opens; the next picture brings the pre-roll with it. It ends by itself
 *    `max_us` after its last start (a stop that never came); start() again extends it.
 *  - stop(): the clip ends `postroll_us` later (the first picture past that end is not kept).
 *  - A clip that ends says so once (offer's `ended`): its segment ends there.
 */
class clip_gate {
public:
    clip_gate(std::int64_t preroll_us, std::int64_t postroll_us, std::int64_t max_us, bool h264, std::size_t max_bytes);

    struct verdict {
        std::vector<frame_ptr> write;  // to record now, oldest first
        bool ended = false;            // the clip ended before this picture: close the segment first
    };

    verdict offer(frame_ptr picture);
    void start(std::int64_t now_us);
    void stop(std::int64_t now_us);

    bool open() const { return open_; }
    /** Where the open clip ends (its stop plus post-roll, or its last start plus max). */
    std::int64_t ends_at() const { return end_us_; }
    std::size_t held_bytes() const { return held_bytes_; }

private:
    void hold(frame_ptr picture);
    void drop_front();

    std::int64_t preroll_us_, postroll_us_, max_us_;
    bool h264_;
    std::size_t max_bytes_;
    bool open_ = false;
    bool flush_ = false;  // opened since the last picture: the pre-roll goes first
    std::int64_t end_us_ = 0;
    std::deque<frame_ptr> held_;
    std::size_t held_bytes_ = 0;
};

}  // namespace wscam::record
