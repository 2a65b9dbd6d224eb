// libFuzzer target: the MJPEG splitter fed arbitrary bytes in arbitrary pieces.
// Checks what must always hold: every frame it emits starts with SOI and ends with EOI, and
// none exceeds the cap.
#include <cstdlib>

#include "codec/mjpeg_splitter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    constexpr std::size_t cap = 64 * 1024;
    wscam::mjpeg_splitter splitter(cap, [](std::span<const std::uint8_t> f) {
        if (f.size() < 4 || f.size() > cap || f[0] != 0xFF || f[1] != 0xD8 || f[f.size() - 2] != 0xFF ||
            f[f.size() - 1] != 0xD9)
            std::abort();
    });
    // The first byte chooses the read size, so splits at every position get explored.
    const std::size_t step = 1 + data[0] % 64;
    for (std::size_t i = 1; i < size; i += step) splitter.feed({data + i, std::min(step, size - i)});
    return 0;
}
