#pragma once

extern "C" {
#include <libavutil/rational.h>
}

namespace wscam::record {

/** Capture times, as wscam keeps them: microseconds. */
inline constexpr AVRational microseconds_base{1, 1'000'000};
/** The clock of every MP4 track wscam writes: video's customary 90 kHz (11 µs a tick). */
inline constexpr AVRational mp4_clock{1, 90'000};

}  // namespace wscam::record
