#pragma once

extern "C" {
#include <libavutil/rational.h>
}

namespace wscam::record {

/** Capture times, as wscam keeps them: microseconds. */
inline constexpr AVRational microseconds_base{1, 1'000'000};
/**
 * The clock of every MP4 track wscam writes: 1 MHz, the capture times' own unit, so a recorded
 * picture's time is its capture time exactly (video's customary 90 kHz would round each by up to
 * 5.5 µs, and a time range's bounds could fall either side of a picture captured on them).
 * Sample durations are 32-bit: a picture may last up to 71 minutes, far beyond a segment's gap.
 */
inline constexpr AVRational mp4_clock{1, 1'000'000};

}  // namespace wscam::record
