// libFuzzer target: a segment file as a crash (or anyone who can write to the folder) left it,
// walked the way wscam walks it at start. Properties: the playable prefix lies within the file,
// walking that prefix finds the same prefix (repairing twice changes nothing), and a finished
// segment is playable to its end.
#include <cstddef>
#include <cstdint>
#include <span>

#include "record/segment_repair.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto reader = [&](std::uint64_t length) {
        return [data, length](std::uint64_t at, std::span<std::uint8_t> out) {
            if (at > length || out.size() > length - at) return false;
            for (std::size_t i = 0; i < out.size(); ++i) out[i] = data[at + i];
            return true;
        };
    };
    const auto shape = wscam::record::inspect_segment(reader(size), size);
    if (shape.playable > size) __builtin_trap();
    if (shape.playable > 0) {
        const auto again = wscam::record::inspect_segment(reader(shape.playable), shape.playable);
        if (again.playable != shape.playable) __builtin_trap();
    }
    if (shape.finished && shape.playable == 0) __builtin_trap();
    return 0;
}
