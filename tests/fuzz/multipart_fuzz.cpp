// libFuzzer target: the multipart parser fed arbitrary bytes in arbitrary pieces, with one
// of the boundaries cameras use (or a hostile one). Every part it emits must respect the size cap.
#include <cstdlib>

#include "codec/multipart_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    constexpr std::size_t cap = 16 * 1024;
    // The last one almost repeats (period 3): the case a search that restarts at every position is quadratic in.
    static const char* boundaries[] = {"123456789000000000000987654321", "--frame", "ffmpeg", "x", "a--a--a--a--aX"};
    wscam::multipart_parser parser(boundaries[data[0] % 5], cap,
                                   [](std::span<const std::uint8_t> body, const wscam::part_headers& h) {
                                       if (body.size() > cap || h.size() > 64) std::abort();
                                   });
    const std::size_t step = 1 + (data[0] >> 2) % 64;
    for (std::size_t i = 1; i < size; i += step) parser.feed({data + i, std::min(step, size - i)});
    return 0;
}
