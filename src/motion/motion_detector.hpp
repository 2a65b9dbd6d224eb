#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "motion/motion_settings.hpp"

namespace wscam::motion {

/** A grey picture, one byte a pixel, rows packed (what the detector looks at: a small decode). */
struct grey_view {
    const std::uint8_t* pixels = nullptr;
    int width = 0;
    int height = 0;
};

/** Where something moves, in fractions of the picture. */
struct box {
    double x = 0, y = 0, w = 0, h = 0;
    bool operator==(const box&) const = default;
};

/** What one picture shows. */
struct sample {
    bool motion = false;  // the moving share reached min_area
    double score = 0;     // the moving share of the picture outside the mask, 0-1
    std::optional<box> area;  // the box around what moves (every blob that counted)
    bool learning = false;    // no background yet (first pictures, a new size, the light changed): no verdict
    bool relit = false;       // most of the picture changed at once: taken as light, not motion; learning again
};

/**
 * Frame differencing against a slowly adapting background, on a small grey picture.
 *
 * Why each step: a pixel "moves" when it differs from the background by more than `threshold`
 * after the picture's median difference is taken away (a camera's exposure step or a cloud moves
 * every pixel alike: that is light, not motion). A moving pixel counts only when at least two of
 * its eight neighbours move too (sensor and JPEG noise is speckle), and blobs smaller than a tenth
 * of `min_area` are dropped. The background follows each still pixel with a time constant of 2 s
 * (a slow change of light is followed, never seen) and a moving one with 30 s (something that
 * stops becomes background in about a minute, so a parked car ends its event). When more than
 * 60 % of the picture changed at once (with or without the median taken away), the light was
 * switched: the picture becomes the background and the detector learns for `learn_us`. So a
 * person filling most of the picture at once is taken as light too: the price of no event at
 * every switch of a lamp.
 *
 * Pure and single-threaded: pictures and their capture times in, a sample out.
 */
class detector {
public:
    explicit detector(settings s);

    sample look(grey_view picture, std::int64_t at_us);
    /** Forget the background (the camera went offline): the next pictures are learnt first. */
    void reset();

    static constexpr std::int64_t learn_us = 1'000'000;
    static constexpr double relit_share = 0.6;

private:
    void start_learning(grey_view picture, std::int64_t at_us);
    void adapt(grey_view picture, std::int64_t at_us);

    settings settings_;
    int width_ = 0, height_ = 0;
    std::vector<std::uint8_t> mask_;       // 1: not looked at
    std::size_t looked_at_ = 0;            // pixels outside the mask
    std::vector<float> background_;
    std::vector<std::uint8_t> moving_, kept_;
    std::vector<int> stack_;
    std::int64_t learning_until_us_ = 0;
    std::int64_t last_us_ = 0;
    bool have_background_ = false;
};

}  // namespace wscam::motion
