#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/stream.hpp"
#include "record/segment_writer.hpp"

namespace wscam::record {

/** How one stream's timelapse is kept (`timelapse = "60s"`). */
struct timelapse_settings {
    std::chrono::seconds every{60};  // one picture this often
    record::codec codec = codec::h264;  // h264: encoded here (one picture a period); mjpeg: the camera's JPEGs
    std::filesystem::path folder;       // the stream's timelapse folder: <record-dir>/<stream>/timelapse
    bool operator==(const timelapse_settings&) const = default;
};

/** A timelapse file in a folder: its day (local time, YYYY-MM-DD) and its part (1 for the day's first file). */
struct timelapse_file {
    std::string name;  // 2026-12-07.mp4, or 2026-12-07-2.mp4 for the second file of a day
    std::string day;
    int part = 1;
    std::uint64_t bytes = 0;
};

/** "2026-12-07.mp4" or "2026-12-07-N.mp4" (N 2..9999): the day and part; nullopt for any other name. */
std::optional<timelapse_file> timelapse_name(std::string_view name);
/** The timelapse files in `folder`, oldest first (plain files with a timelapse_name only). */
std::vector<timelapse_file> timelapse_files(const std::filesystem::path& folder);

/**
 * A stream's timelapse: one picture every `every`, the newest the camera gave, appended to a
 * daily MP4 (the server's local date of the picture) that plays at 30 pictures a second, so a
 * day at 60 s is 1440 pictures, 48 s of video. A picture older than `every` when its turn comes
 * is not taken (the camera was offline: no picture, not a repeated one). Written with
 * segment_writer, one fragment a picture, so the file plays while it grows and a crash loses at
 * most the picture held for the next. A restart (or a new picture size, at most every 10
 * minutes: pictures of another size before then are skipped) starts the day's next part,
 * 2026-12-07-2.mp4: the file before is complete. A picture that cannot be taken (undecodable,
 * too large for H.264) is skipped and said once; nothing leaves the thread.
 *
 * It counts as a viewer, so the camera stays on. Its tap only keeps the newest picture; a thread
 * of its own decodes, encodes and writes, so no source or I/O thread waits for it. A failure
 * (a full disk) is logged once and retried at the next picture.
 */
class timelapse {
public:
    timelapse(std::shared_ptr<stream> s, timelapse_settings settings);
    ~timelapse();  // the open file is closed, complete
    timelapse(const timelapse&) = delete;
    timelapse& operator=(const timelapse&) = delete;

    const timelapse_settings& settings() const { return settings_; }
    /** Pictures written since start. */
    std::uint64_t pictures() const;

    /** The timeline's step between two pictures: 30 a second. */
    static constexpr std::int64_t picture_us = 1'000'000 / 30;

private:
    class tap;
    struct writing;
    void run(std::stop_token stop);
    void take(writing& w, const frame_ptr& picture);

    std::shared_ptr<stream> stream_;
    timelapse_settings settings_;
    std::shared_ptr<tap> tap_;
    std::unique_ptr<writing> writing_;
    std::jthread thread_;  // last: it uses everything above
};

}  // namespace wscam::record
