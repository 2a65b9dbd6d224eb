#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

namespace wscam::mse {

/** The muxer could not start or write: libavformat's reason. */
class fmp4_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/**
 * One H.264 track as fragmented MP4 for Media Source Extensions, in memory, made by
 * libavformat's mp4 muxer (never our own boxes): an init segment (`ftyp` + `moov` with the avcC
 * taken from a keyframe's SPS and PPS), then one media segment (`moof` + `mdat`) per access
 * unit, written as soon as the unit is given, so packaging adds no frame of delay.
 *
 * The media timeline is the capture time itself (a 1 MHz track clock, time 0 at the Unix
 * epoch): a browser's `mediaTime` is `capture_us / 1e6`, the same for every muxer of a stream
 * (both renditions, and a new one after a size change), so a player that moves between them
 * sees one continuous timeline. A time that does not increase is moved 1 µs after the one before.
 *
 * A unit's duration is not known until the next one comes, and holding it that long would add a
 * frame of latency. MSE takes a gap of more than twice the previous unit's duration as a
 * discontinuity and drops every unit after it until the next keyframe (Media Source Extensions,
 * "coded frame processing"): with durations of one frame interval, one late picture or one
 * skipped by a busy encoder would freeze the picture for seconds. So each unit lasts 4 typical
 * intervals (the median of the last 8), and at least 1 s: the next unit, which starts earlier,
 * takes over, and a player keeps its own live edge instead of the buffer's end.
 * libavformat dates a fragment by the durations before it, so each fragment's `tfdt` is then set
 * to the capture time (the one field written after the muxer).
 *
 * One SPS per muxer: a new picture size needs a new muxer (and a new init segment). A muxer
 * should not outlive a group of pictures either: libavformat keeps an index entry (about 40 bytes)
 * per fragment for the trailer it would write at the end, which a live stream never reaches, so a
 * muxer kept for days grows by megabytes (an attack review measured 39 bytes a unit). Not
 * thread-safe. Throws fmp4_error.
 */
class fmp4_muxer {
public:
    /**
     * `keyframe`: an Annex B IDR access unit with SPS and PPS in band; width and height of its
     * pictures. `before`: the muxer this one follows on the same timeline, if any: its last time
     * and intervals carry over (the timeline still never goes back; durations stay the stream's).
     */
    fmp4_muxer(std::span<const std::uint8_t> keyframe, int width, int height, const fmp4_muxer* before = nullptr);
    ~fmp4_muxer();
    fmp4_muxer(const fmp4_muxer&) = delete;
    fmp4_muxer& operator=(const fmp4_muxer&) = delete;

    /** `ftyp` + `moov`: what a SourceBuffer needs before any media segment of this muxer. */
    std::span<const std::uint8_t> init() const { return init_; }

    /** Appends one media segment holding `unit` (Annex B, one picture) to `out`. */
    void add(std::span<const std::uint8_t> unit, std::int64_t capture_us, bool keyframe, std::vector<std::uint8_t>& out);

private:
    struct context;
    std::unique_ptr<context> ctx_;
    std::vector<std::uint8_t> init_;
    /** The median of the last intervals between units (30 fps before there are any). */
    std::int64_t typical_interval() const;

    static constexpr std::int64_t default_interval_us = 33'333;
    std::int64_t last_us_ = -1;
    std::array<std::int64_t, 8> intervals_{};  // the last 8 intervals, a ring
    std::size_t interval_count_ = 0;
};

}  // namespace wscam::mse
