// codec-test-card: the test camera's picture as a clip, for bench/codec.sh. Renders frames
// 1..N of wscam's test pattern (the code `testsrc:` runs, with a clock that advances 1/fps per
// frame instead of the wall clock) and writes them twice: as the JPEGs `testsrc:` would send
// (wscam's own TurboJPEG encoder, 4:2:0, fast DCT, at --quality), concatenated into an MJPEG
// clip that `file:CLIP?fps=..&loop=1` plays, and uncompressed (packed RGB, rgb24), the
// reference the received pictures are compared with. --raw-clean also writes the same frames
// rendered without noise: the scene a camera would see, its sensor noise left out.
//
//   codec-test-card --size 640x480 --frames 150 --noise 20 --quality 80 --clip p.mjpeg --raw p.rgb [--raw-clean c.rgb]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <vector>

#include "codec/jpeg_codec.hpp"
#include "codec/test_card.hpp"

int main(int argc, char** argv) {
    std::string size = "640x480", clip, raw, raw_clean;
    int frames = 150, noise = 20, quality = 80;
    double fps = 30;
    CLI::App app{"codec-test-card: wscam's test pattern as an MJPEG clip (wscam's encoder) and as raw RGB"};
    app.add_option("--size", size, "WIDTHxHEIGHT")->capture_default_str();
    app.add_option("--frames", frames, "Frames to render")->check(CLI::Range(1, 100000))->capture_default_str();
    app.add_option("--noise", noise, "Noise, 0-100, as testsrc:?noise=")->check(CLI::Range(0, 100))->capture_default_str();
    app.add_option("--quality", quality, "JPEG quality, as testsrc:?quality=")->check(CLI::Range(1, 100))->capture_default_str();
    app.add_option("--fps", fps, "Frame rate the clock shown in the picture advances at")->capture_default_str();
    app.add_option("--clip", clip, "MJPEG clip to write")->required();
    app.add_option("--raw", raw, "Raw rgb24 frames to write (the reference)");
    app.add_option("--raw-clean", raw_clean, "Raw rgb24 frames of the same pictures without noise");
    CLI11_PARSE(app, argc, argv);

    int w = 0, h = 0;
    if (std::sscanf(size.c_str(), "%dx%d", &w, &h) != 2 || w < 16 || h < 16) {
        std::fprintf(stderr, "--size must be WIDTHxHEIGHT\n");
        return 2;
    }
    wscam::test_card pattern(w, h, noise), clean(w, h, 0);
    wscam::jpeg_encoder encoder;
    std::ofstream out(clip, std::ios::binary);
    std::ofstream ref;
    if (!raw.empty()) ref.open(raw, std::ios::binary);
    std::ofstream ref_clean;
    if (!raw_clean.empty()) ref_clean.open(raw_clean, std::ios::binary);
    std::vector<std::uint8_t> jpeg;
    std::size_t total = 0;
    const std::int64_t t0 = 1'767'225'600'000'000;  // a fixed clock: the same clip every time
    for (int n = 1; n <= frames; ++n) {
        const auto at = t0 + static_cast<std::int64_t>((n - 1) * 1e6 / fps);
        pattern.render(static_cast<std::uint64_t>(n), at);
        const auto bytes = encoder.encode_rgb(pattern.rgb(), w, h, quality, jpeg, 0);
        out.write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(bytes));
        total += bytes;
        if (ref.is_open()) ref.write(reinterpret_cast<const char*>(pattern.rgb()), static_cast<std::streamsize>(w) * h * 3);
        if (ref_clean.is_open()) {
            clean.render(static_cast<std::uint64_t>(n), at);
            ref_clean.write(reinterpret_cast<const char*>(clean.rgb()), static_cast<std::streamsize>(w) * h * 3);
        }
    }
    if (!out || (ref.is_open() && !ref) || (ref_clean.is_open() && !ref_clean)) {
        std::fprintf(stderr, "codec-test-card: cannot write the output\n");
        return 1;
    }
    std::printf("codec-test-card: %d frames of %dx%d, noise %d, quality %d: %zu bytes a frame on average\n", frames, w, h, noise,
                quality, total / static_cast<std::size_t>(frames));
    return 0;
}
