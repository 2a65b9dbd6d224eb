#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace wscam {

/** A stream's RTSP readers (src/rtsp): now, and totals since its first reader. */
struct rtsp_reader_stats {
    std::size_t readers = 0;
    std::uint64_t units = 0;    // access units handed to readers (summed over readers)
    std::uint64_t bytes = 0;    // their bytes
    std::uint64_t dropped = 0;  // units readers did not get because they were behind
    std::uint64_t cut_off = 0;  // readers cut off after --write-timeout
};

/** What the RTSP server tells /api/streams and /metrics; the app sets it once RTSP serves. */
struct rtsp_facts {
    std::uint16_t port = 0;  // 0: no RTSP server
    std::function<std::optional<rtsp_reader_stats>(const std::string& stream)> of;  // nullopt: never had a reader
    std::function<std::size_t()> connections;
};

}  // namespace wscam
