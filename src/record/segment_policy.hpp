#pragma once

#include <cstdint>

namespace wscam::record {

/**
 * When a recording opens, continues, cuts or skips, decided per picture (pure, so the rules are
 * tested alone; the recorder acts on the answer). The rules:
 *  - A segment starts where a player can start: any JPEG, an H.264 keyframe. Until one comes,
 *    H.264 pictures are skipped (and a keyframe is asked for).
 *  - A segment is cut once it is `segment_us` long: a JPEG recording at the next picture, an
 *    H.264 one at the next keyframe (asked for then, so it comes soon).
 *  - A new picture size, or a pause longer than `gap_us` (the camera was lost), or the camera
 *    going offline (gap()) ends the segment: the gap is a gap between segments, not a jump
 *    inside one.
 */
class segment_policy {
public:
    enum class action {
        skip,   // not recorded: H.264 waiting for a keyframe
        open,   // a new segment starts with this picture
        write,  // the picture goes into the open segment
        cut,    // the open segment ends where this picture begins; a new one starts with it
        close,  // the open segment ends at the previous picture; this one is skipped (H.264, not a keyframe)
    };

    segment_policy(std::int64_t segment_us, std::int64_t gap_us, bool h264)
        : segment_us_(segment_us), gap_us_(gap_us), h264_(h264) {}

    action next(std::int64_t capture_us, bool keyframe, int width, int height);
    /** The camera went offline (or recording stopped): the open segment ends. True if one was open. */
    bool gap();
    /** The open segment failed and was dropped: the next picture that can start one opens one. */
    void lost() { open_ = false; }
    /** An H.264 recording needs a keyframe soon (none to start with, or the segment is due to be cut). */
    bool wants_keyframe() const { return h264_ && wants_keyframe_; }
    bool is_open() const { return open_; }

private:
    action start(bool keyframe, std::int64_t capture_us, int width, int height);

    std::int64_t segment_us_;
    std::int64_t gap_us_;
    bool h264_;
    bool open_ = false;
    bool wants_keyframe_ = true;
    std::int64_t start_us_ = 0;
    std::int64_t last_us_ = 0;
    int width_ = 0;
    int height_ = 0;
};

}  // namespace wscam::record
