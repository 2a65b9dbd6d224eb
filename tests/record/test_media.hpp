#pragma once

// What the record tests make and read: test-card pictures as JPEG and H.264, and what Debian's
// ffprobe says about a file.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "codec/h264_encoder.hpp"
#include "codec/jpeg_codec.hpp"
#include "codec/jpeg_to_yuv.hpp"
#include "codec/test_card.hpp"
#include "core/frame.hpp"

namespace wscam::record::test_media {

/** `count` test-card JPEGs of w x h, picture i captured (and stamped) at t0 + i * 100 ms. */
inline std::vector<std::vector<std::uint8_t>> jpegs(int w, int h, int count, std::int64_t t0) {
    test_card card(w, h, 10);
    jpeg_encoder encoder;
    std::vector<std::vector<std::uint8_t>> out;
    for (int i = 0; i < count; ++i) {
        card.render(static_cast<std::uint64_t>(i), t0 + i * 100'000);
        std::vector<std::uint8_t> jpeg;
        jpeg.resize(encoder.encode_rgb(card.rgb(), w, h, 70, jpeg, 0));
        out.push_back(std::move(jpeg));
    }
    return out;
}

/** One H.264 access unit (Annex B) and whether it is a keyframe. */
struct h264_unit {
    std::vector<std::uint8_t> bytes;
    bool keyframe = false;
};

/** The pictures encoded with wscam's encoder (libx264); a keyframe first and where `keyframe_at` says. */
inline std::vector<h264_unit> h264_units(const std::vector<std::vector<std::uint8_t>>& pictures, int w, int h,
                                         const std::vector<std::size_t>& keyframe_at = {}) {
    h264_encoder encoder(w, h, 10, h264_settings{});
    jpeg_to_yuv decoder;
    std::vector<h264_unit> out;
    for (std::size_t i = 0; i < pictures.size(); ++i) {
        yuv420_image picture;
        EXPECT_TRUE(decoder.decode(pictures[i], picture));
        const bool force = std::find(keyframe_at.begin(), keyframe_at.end(), i) != keyframe_at.end();
        auto au = encoder.encode(picture, force);
        const std::span<const std::uint8_t> unit(au.storage.data() + wscam::frame::header_size, au.size);
        out.push_back({{unit.begin(), unit.end()}, au.keyframe});
    }
    return out;
}

/** What `command` prints (stdout and stderr). */
inline std::string run(const std::string& command) {
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    std::string out;
    char buffer[4096];
    while (pipe && std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
    if (pipe) pclose(pipe);
    return out;
}

/** What ffprobe says about a file's video track: the stream (packets and decoded frames counted), and each packet. */
inline nlohmann::json probe(const std::filesystem::path& path) {
    const auto out = run(std::string(FFPROBE_BIN) +
                         " -v error -select_streams v:0 -show_entries stream=codec_name,width,height,nb_read_packets,"
                         "nb_read_frames:packet=pts,flags:format=duration -count_packets -count_frames -of json '" +
                         path.string() + "'");
    auto json = nlohmann::json::parse(out, nullptr, false);
    EXPECT_FALSE(json.is_discarded()) << out;
    return json;
}

}  // namespace wscam::record::test_media
