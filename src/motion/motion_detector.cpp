#include "motion/motion_detector.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace wscam::motion {
namespace {

constexpr double still_tau_s = 2.0;
constexpr double moving_tau_s = 30.0;

}  // namespace

detector::detector(settings s) : settings_(std::move(s)) {}

void detector::reset() { have_background_ = false; }

void detector::start_learning(grey_view picture, std::int64_t at_us) {
    const auto n = static_cast<std::size_t>(picture.width) * static_cast<std::size_t>(picture.height);
    if (picture.width != width_ || picture.height != height_) {
        width_ = picture.width;
        height_ = picture.height;
        mask_ = mask_grid(settings_.mask, width_, height_);
        looked_at_ = n - static_cast<std::size_t>(std::count(mask_.begin(), mask_.end(), std::uint8_t{1}));
        moving_.assign(n, 0);
        kept_.assign(n, 0);
    }
    background_.assign(picture.pixels, picture.pixels + n);
    have_background_ = true;
    learning_until_us_ = at_us + learn_us;
    last_us_ = at_us;
}

void detector::adapt(grey_view picture, std::int64_t at_us) {
    const double dt = std::clamp(static_cast<double>(at_us - last_us_) / 1e6, 0.0, 5.0);
    last_us_ = at_us;
    const auto still = static_cast<float>(1 - std::exp(-dt / still_tau_s));
    const auto moving = static_cast<float>(1 - std::exp(-dt / moving_tau_s));
    const auto n = background_.size();
    for (std::size_t i = 0; i < n; ++i) {
        const float a = kept_[i] ? moving : still;
        background_[i] += a * (static_cast<float>(picture.pixels[i]) - background_[i]);
    }
}

sample detector::look(grey_view picture, std::int64_t at_us) {
    sample out;
    if (picture.width <= 0 || picture.height <= 0 || !picture.pixels) {
        out.learning = true;
        return out;
    }
    if (!have_background_ || picture.width != width_ || picture.height != height_ || at_us < last_us_) {
        start_learning(picture, at_us);
        out.learning = true;
        return out;
    }
    const int w = width_, h = height_;
    const auto n = background_.size();
    if (looked_at_ == 0) {  // everything masked
        adapt(picture, at_us);
        return out;
    }

    // The picture's median difference from the background: what the light did to every pixel.
    std::array<std::uint32_t, 511> histogram{};
    for (std::size_t i = 0; i < n; ++i)
        if (!mask_[i]) ++histogram[static_cast<std::size_t>(picture.pixels[i] - static_cast<int>(std::lround(background_[i])) + 255)];
    int median = 0;
    for (std::size_t seen = 0, b = 0; b < histogram.size(); ++b) {
        seen += histogram[b];
        if (seen * 2 >= looked_at_) {
            median = static_cast<int>(b) - 255;
            break;
        }
    }

    // Changed: against the background as it is (a light switched over most of the picture moves
    // the median itself) and with the median taken away (a step of exposure everywhere).
    std::size_t raw_moving = 0, changed = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const int raw = picture.pixels[i] - static_cast<int>(std::lround(background_[i]));
        moving_[i] = !mask_[i] && std::abs(raw - median) > settings_.threshold;
        raw_moving += moving_[i];
        changed += !mask_[i] && std::abs(raw) > settings_.threshold;
    }
    const auto most = relit_share * static_cast<double>(looked_at_);
    if (static_cast<double>(raw_moving) > most || static_cast<double>(changed) > most) {
        start_learning(picture, at_us);
        out.learning = true;
        out.relit = true;
        return out;
    }

    // Speckle out: a moving pixel needs two moving neighbours.
    std::fill(kept_.begin(), kept_.end(), std::uint8_t{0});
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const auto i = static_cast<std::size_t>(y) * w + x;
            if (!moving_[i]) continue;
            int around = 0;
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    const int yy = y + dy, xx = x + dx;
                    if ((dx || dy) && yy >= 0 && yy < h && xx >= 0 && xx < w) around += moving_[static_cast<std::size_t>(yy) * w + xx];
                }
            kept_[i] = around >= 2;
        }

    // Blobs (4-connected): the ones large enough count, and the box holds them all.
    const auto min_blob = std::max<std::size_t>(
        2, static_cast<std::size_t>(settings_.min_area * 0.1 * static_cast<double>(looked_at_)));
    std::size_t counted = 0;
    int left = w, top = h, right = -1, bottom = -1;
    std::vector<std::uint8_t>& seen = moving_;  // reused: cleared as blobs are walked
    std::fill(seen.begin(), seen.end(), std::uint8_t{0});
    for (std::size_t start = 0; start < n; ++start) {
        if (!kept_[start] || seen[start]) continue;
        stack_.clear();
        stack_.push_back(static_cast<int>(start));
        seen[start] = 1;
        std::size_t size = 0;
        int l = w, t = h, r = -1, b = -1;
        while (!stack_.empty()) {
            const int i = stack_.back();
            stack_.pop_back();
            ++size;
            const int x = i % w, y = i / w;
            l = std::min(l, x), r = std::max(r, x), t = std::min(t, y), b = std::max(b, y);
            const int next[4] = {x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1, y > 0 ? i - w : -1, y + 1 < h ? i + w : -1};
            for (const int j : next)
                if (j >= 0 && kept_[static_cast<std::size_t>(j)] && !seen[static_cast<std::size_t>(j)]) {
                    seen[static_cast<std::size_t>(j)] = 1;
                    stack_.push_back(j);
                }
        }
        if (size < min_blob) {
            continue;
        }
        counted += size;
        left = std::min(left, l), top = std::min(top, t), right = std::max(right, r), bottom = std::max(bottom, b);
    }
    // Only what counted slows the background down; the rest (speckle) is followed as still.
    if (counted == 0) std::fill(kept_.begin(), kept_.end(), std::uint8_t{0});
    adapt(picture, at_us);

    const bool learning = at_us < learning_until_us_;
    out.learning = learning;
    out.score = static_cast<double>(counted) / static_cast<double>(looked_at_);
    if (counted > 0)
        out.area = box{static_cast<double>(left) / w, static_cast<double>(top) / h, static_cast<double>(right - left + 1) / w,
                       static_cast<double>(bottom - top + 1) / h};
    out.motion = !learning && out.score >= settings_.min_area;
    return out;
}

}  // namespace wscam::motion
