#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace wscam {

/** Settings every source that takes frames from outside shares; from the command line. */
struct intake_options {
    std::size_t max_frame_bytes = 4 * 1024 * 1024;
    // Largest picture accepted: a small JPEG may declare 65535x65535, which every browser
    // viewer would then try to decode (17 GB of RGBA). 40 MP is well above 8K UHD (33 MP).
    std::uint64_t max_frame_pixels = 40'000'000;
    std::chrono::milliseconds stall_timeout{5000};      // no frame for this long: reconnect
    std::chrono::milliseconds reconnect_initial{500};   // first retry delay (then doubling)
    std::chrono::milliseconds reconnect_max{10000};     // longest retry delay
    std::chrono::milliseconds idle_grace{5000};         // camera or program let go this long after the last viewer left
    double fps = 30;          // file playback rate, and poll rate of single-JPEG URLs
    bool loop = true;         // file sources start over at the end
    bool always_on = false;   // keep pulling with no viewers
    std::string publish_token;
    bool publish_takeover = false;
    bool operator==(const intake_options&) const = default;
};

}  // namespace wscam
