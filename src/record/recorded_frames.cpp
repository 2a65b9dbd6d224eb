#include "record/recorded_frames.hpp"

#include <optional>

#include "record/segment_packets.hpp"

namespace wscam::record {

std::vector<recorded_jpeg> jpegs_from(const std::vector<std::pair<std::filesystem::path, std::int64_t>>& segments,
                                      std::int64_t from_us, std::size_t max_count, std::size_t max_bytes) {
    std::vector<recorded_jpeg> out;
    std::size_t bytes = 0;
    auto take = [&](recorded_jpeg j) {
        bytes += j.jpeg.size();
        out.push_back(std::move(j));
        return out.size() >= max_count || bytes >= max_bytes;
    };
    // The picture on screen at from_us: the newest captured before it, until one at or after it comes.
    std::optional<recorded_jpeg> on_screen;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto opened = open_listed(segments, i, true);
        if (!opened) continue;
        auto& pictures = *opened;
        if (pictures.codec() != codec::mjpeg) break;
        if (out.empty()) pictures.seek(from_us);
        while (const auto p = pictures.next()) {
            recorded_jpeg j{{p->data.begin(), p->data.end()}, p->capture_us};
            if (j.capture_us < from_us) {
                on_screen = std::move(j);
                continue;
            }
            if (on_screen && j.capture_us > from_us && take(std::move(*on_screen))) return out;
            on_screen.reset();
            if (take(std::move(j))) return out;
        }
    }
    if (on_screen) take(std::move(*on_screen));
    return out;
}

}  // namespace wscam::record
