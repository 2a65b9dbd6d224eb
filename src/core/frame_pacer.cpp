#include "core/frame_pacer.hpp"

#include <cmath>
#include <stdexcept>

namespace wscam {

frame_pacer::frame_pacer(double fps, clock::time_point start) : fps_(fps), start_(start) {
    if (!(fps > 0) || fps > 1000) throw std::invalid_argument("fps must be in (0, 1000]");
}

frame_pacer::clock::time_point frame_pacer::deadline(std::uint64_t n) const {
    const auto ns = static_cast<std::int64_t>(std::llround(static_cast<double>(n) * 1e9 / fps_));
    return start_ + std::chrono::duration_cast<clock::duration>(std::chrono::nanoseconds(ns));
}

std::uint64_t frame_pacer::advance(clock::time_point now) {
    ++index_;
    std::uint64_t skipped = 0;
    // Late by more than one period: skip to the first deadline that is still ahead.
    while (deadline(index_ + 1) <= now) {
        ++index_;
        ++skipped;
    }
    skipped_ += skipped;
    return skipped;
}

void frame_pacer::restart(clock::time_point start) {
    start_ = start;
    index_ = 0;
}

}  // namespace wscam
