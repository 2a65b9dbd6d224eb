// Encode throughput per core for raw camera frames (YUYV, as webcams and vivid give them),
// through the same code the V4L2 source uses. Also writes the picture as PPM so that
// TurboJPEG's own tjbench can be run on it for comparison (bench/encode.sh does both).
//
//   encode-bench [--seconds 2] [--quality 80] [--ppm-dir DIR]
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "codec/raw_encode.hpp"
#include "codec/test_card.hpp"

namespace {

double thread_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// BT.601 full-range RGB -> YUYV, as a camera would deliver it.
std::vector<std::uint8_t> to_yuyv(const std::uint8_t* rgb, int w, int h) {
    std::vector<std::uint8_t> out(static_cast<std::size_t>(w) * h * 2);
    auto clamp = [](double v) { return static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); };
    for (int i = 0; i < w * h; i += 2) {
        const auto* a = rgb + 3 * i;
        const auto* b = a + 3;
        const double ya = 0.299 * a[0] + 0.587 * a[1] + 0.114 * a[2], yb = 0.299 * b[0] + 0.587 * b[1] + 0.114 * b[2];
        const double r = (a[0] + b[0]) / 2.0, g = (a[1] + b[1]) / 2.0, bl = (a[2] + b[2]) / 2.0;
        out[2 * i] = clamp(ya);
        out[2 * i + 1] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * bl);
        out[2 * i + 2] = clamp(yb);
        out[2 * i + 3] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * bl);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 2;
    int quality = 80;
    std::string ppm_dir;
    CLI::App app{"encode-bench: JPEG encode throughput from YUYV per core"};
    app.add_option("--seconds", seconds, "Seconds per size")->capture_default_str();
    app.add_option("--quality", quality, "JPEG quality")->capture_default_str();
    app.add_option("--ppm-dir", ppm_dir, "Also write each test picture as SIZE.ppm here (for tjbench)");
    CLI11_PARSE(app, argc, argv);

    std::printf("size        frames/s  ms/frame  cpu-ms/frame  bytes/frame   (YUYV -> planes -> TurboJPEG 4:2:2, q%d, one thread)\n",
                quality);
    for (auto [w, h] : {std::pair{640, 480}, std::pair{1280, 720}, std::pair{1920, 1080}}) {
        wscam::test_card pattern(w, h, 10);  // a little noise: a camera's picture is not flat
        pattern.render(1, 0);
        if (!ppm_dir.empty()) {
            std::ofstream ppm(ppm_dir + "/" + std::to_string(w) + "x" + std::to_string(h) + ".ppm", std::ios::binary);
            ppm << "P6\n" << w << " " << h << "\n255\n";
            ppm.write(reinterpret_cast<const char*>(pattern.rgb()), static_cast<std::streamsize>(w) * h * 3);
        }
        const auto yuyv = to_yuyv(pattern.rgb(), w, h);
        wscam::jpeg_encoder encoder;
        std::vector<std::uint8_t> scratch, out;
        std::size_t bytes = 0;
        long frames = 0;
        const double cpu0 = thread_cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        const auto end = t0 + std::chrono::duration<double>(seconds);
        while (std::chrono::steady_clock::now() < end) {
            bytes = wscam::encode_raw_frame(encoder, wscam::raw_format::yuyv, yuyv.data(), w, h, 0, quality, scratch, out, 32);
            ++frames;
        }
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = thread_cpu_seconds() - cpu0;
        std::printf("%4dx%-5d %9.1f %9.2f %13.2f %12zu\n", w, h, frames / wall, 1000 * wall / frames, 1000 * cpu / frames, bytes);
    }
    return 0;
}
