// libFuzzer target: what a camera's bytes reach through motion detection, end to end. The first
// byte's bits pick the settings (threshold, min_area, a mask); the rest is a JPEG from a camera
// (after frame_intake's marker check). It is decoded scaled to at most 160 wide in grey, then
// looked at as a run of pictures (the picture, a darker copy, the picture again, with times going
// forward and once back), through the event tracker, and an event's JSON and MQTT messages are
// written: none may crash, and a sample must stay within its bounds.
#include <cstdlib>
#include <memory>

#include "codec/jpeg_codec.hpp"
#include "events/motion_event.hpp"
#include "events/mqtt/mqtt_messages.hpp"
#include "motion/event_tracker.hpp"
#include "motion/motion_detector.hpp"

namespace {

void check(const wscam::motion::sample& s) {
    if (!(s.score >= 0 && s.score <= 1)) std::abort();
    if (s.motion && s.learning) std::abort();
    if (s.area && (s.area->x < 0 || s.area->y < 0 || s.area->w <= 0 || s.area->h <= 0 || s.area->x + s.area->w > 1.0000001 ||
                   s.area->y + s.area->h > 1.0000001))
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::span<const std::uint8_t> jpeg(data + 1, size - 1);
    if (!wscam::has_jpeg_markers(jpeg)) return 0;
    static wscam::jpeg_decoder decoder;
    const auto header = decoder.read_header(jpeg);
    if (!header || std::int64_t{header->width} * header->height > 256 * 256) return 0;  // fast runs
    std::vector<std::uint8_t> grey;
    int w = 0, h = 0;
    wscam::jpeg_header_info full;
    if (!decoder.decode_grey_scaled(jpeg, 160, grey, w, h, full)) return 0;
    if (w > 160 && full.width <= 8 * 160) std::abort();
    if (grey.size() != static_cast<std::size_t>(w) * static_cast<std::size_t>(h)) std::abort();

    wscam::motion::settings s;
    s.threshold = 1 + (data[0] & 0x3f);
    s.min_area = (data[0] & 0x40) ? 0.0001 : 0.05;
    if (data[0] & 0x80) s.mask = {{{0, 0}, {0.5, 0.1}, {0.2, 0.9}}};
    wscam::motion::detector d(s);
    wscam::motion::event_tracker tracker(std::chrono::milliseconds(500));
    auto darker = grey;
    for (auto& p : darker) p = static_cast<std::uint8_t>(p / 3);
    const std::int64_t times[] = {0, 2'000'000, 2'100'000, 2'200'000, 2'300'000, 1'000'000, 2'400'000, 5'000'000};
    for (int i = 0; i < 8; ++i) {
        const auto& picture = (i % 3 == 1) ? darker : grey;
        const auto sample = d.look({picture.data(), w, h}, times[i]);
        check(sample);
        const auto v = tracker.picture(sample, times[i]);
        if (v.started || v.ended) {
            wscam::events::notice n;
            n.change = v.started ? wscam::events::change::started : wscam::events::change::ended;
            const auto& e = tracker.event();
            n.event = {"cam", e.start_us, e.start_us, v.ended ? e.last_motion_us : 0, e.peak_us, e.peak_score,
                       {e.peak_box.x, e.peak_box.y, e.peak_box.w, e.peak_box.h}, full.width, full.height};
            (void)wscam::events::event_message(wscam::events::mqtt_naming{}, n);
        }
    }
    return 0;
}
