#include <algorithm>

#include "record/recording_index.hpp"
#include "record/segment_packets.hpp"

namespace wscam::record {

std::optional<segment_entry> read_segment(const std::filesystem::path& file, std::string* why) {
    auto refuse = [&](std::string reason) -> std::optional<segment_entry> {
        if (why) *why = std::move(reason);
        return std::nullopt;
    };
    const auto name = file.filename().string();
    const auto start = segment_start(name);
    if (!start) return refuse("not a segment's name");
    try {
        segment_packets pictures(file, *start);
        segment_entry e;
        e.name = name;
        e.start_us = *start;
        e.codec = pictures.codec();
        e.width = pictures.width();
        e.height = pictures.height();
        std::error_code ec;
        e.bytes = std::filesystem::file_size(file, ec);
        e.end_us = *start;
        while (const auto p = pictures.next()) {
            ++e.frames;
            e.end_us = std::max(e.end_us, p->capture_us + p->duration_us);
        }
        if (e.frames == 0) return refuse("has no pictures");
        e.end_us = std::max(e.end_us, *start + pictures.stated_duration_us());
        return e;
    } catch (const segment_error& e) {
        const std::string what = e.what();
        return refuse(what.substr(std::min(what.size(), name.size() + 1)));  // the reason, without the name
    }
}

}  // namespace wscam::record
