// segment_writer against Debian's ffprobe: what every tool must be able to read.
#include "record/segment_writer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "temp_folder.hpp"
#include "test_media.hpp"

namespace wscam::record {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t t0 = 1'765'000'000'000'000;  // some capture time, microseconds since 1970

std::vector<std::vector<std::uint8_t>> jpegs(int w, int h, int count) { return test_media::jpegs(w, h, count, t0); }
using test_media::probe;

struct folder : temp_folder {
    folder() : temp_folder("wscam-segment") {}
};

TEST(segment_writer, a_jpeg_segment_plays_at_the_rate_it_was_captured) {
    folder dir;
    const auto file = dir.path / "a.mp4";
    const auto pictures = jpegs(320, 240, 8);
    // An ESP32's uneven rate: 100 ms, 50 ms, 250 ms, a 1 s stall, then 30 ms steps.
    const std::vector<std::int64_t> at{0, 100'000, 150'000, 400'000, 1'400'000, 1'430'000, 1'460'000, 1'490'000};
    {
        segment_writer w(file.string(), {codec::mjpeg, 320, 240, {}}, t0);
        for (std::size_t i = 0; i < at.size(); ++i) w.add(pictures[i], t0 + at[i], true);
        EXPECT_EQ(w.last_us(), t0 + at.back());
        w.close(t0 + 1'520'000);
        EXPECT_EQ(w.frames(), at.size());
        EXPECT_EQ(w.end_us(), t0 + 1'520'000);
    }
    const auto info = probe(file);
    const auto& stream = info["streams"][0];
    EXPECT_EQ(stream["codec_name"], "mjpeg");
    EXPECT_EQ(stream["width"], 320);
    EXPECT_EQ(stream["height"], 240);
    const auto& packets = info["packets"];
    ASSERT_EQ(packets.size(), at.size());
    for (std::size_t i = 0; i < at.size(); ++i) {
        // In the track's 1 MHz clock. An MP4 picture starts where the one before ends, so each
        // picture lasting until the next is what puts every one at its capture time.
        EXPECT_EQ(packets[i]["pts"].get<std::int64_t>(), at[i]) << "picture " << i << " at its capture time";
        EXPECT_EQ(packets[i]["flags"].get<std::string>().front(), 'K');
    }
    EXPECT_NEAR(std::stod(info["format"]["duration"].get<std::string>()), 1.52, 0.0001) << "the last one lasts until close()";
}

TEST(segment_writer, a_segment_being_written_plays_up_to_its_last_fragment) {
    folder dir;
    const auto file = dir.path / "open.mp4";
    const auto pictures = jpegs(160, 120, 1);
    segment_writer w(file.string(), {codec::mjpeg, 160, 120, {}}, t0);
    // 35 pictures at 10 fps: fragments are cut about every second.
    for (int i = 0; i < 35; ++i) w.add(pictures[0], t0 + i * 100'000, true);
    const auto info = probe(file);
    ASSERT_EQ(info["streams"][0]["codec_name"], "mjpeg") << info.dump();
    const auto readable = info["packets"].size();
    EXPECT_GE(readable, 30u) << "every fragment but the one in memory is in the file";
    EXPECT_LT(readable, 35u) << "the newest pictures are still held";
    for (std::size_t i = 0; i < readable; ++i)
        EXPECT_EQ(info["packets"][i]["pts"].get<std::int64_t>(), static_cast<std::int64_t>(i) * 100'000);
    w.close(t0 + 3'500'000);
    EXPECT_EQ(probe(file)["packets"].size(), 35u);
}

TEST(segment_writer, an_h264_segment_keeps_the_encoders_units_and_their_keyframes) {
    folder dir;
    const auto file = dir.path / "h264.mp4";
    const auto units = test_media::h264_units(jpegs(320, 240, 10), 320, 240, {6});
    ASSERT_TRUE(units[0].keyframe);
    auto w = std::make_unique<segment_writer>(file.string(), segment_format{codec::h264, 320, 240, units[0].bytes}, t0);
    for (std::size_t i = 0; i < units.size(); ++i)
        w->add(units[i].bytes, t0 + static_cast<std::int64_t>(i) * 100'000, units[i].keyframe);
    w->close(t0 + 1'000'000);
    const auto info = probe(file);
    EXPECT_EQ(info["streams"][0]["codec_name"], "h264");
    const auto& packets = info["packets"];
    ASSERT_EQ(packets.size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(packets[i]["pts"].get<std::int64_t>(), static_cast<std::int64_t>(i) * 100'000);
        EXPECT_EQ(packets[i]["flags"].get<std::string>().front() == 'K', i == 0 || i == 6) << i;
    }
}

TEST(segment_writer, refuses_a_file_that_exists_a_missing_folder_and_h264_without_a_keyframe) {
    folder dir;
    const auto file = dir.path / "x.mp4";
    { segment_writer w(file.string(), {codec::mjpeg, 160, 120, {}}, t0); }
    try {
        segment_writer again(file.string(), {codec::mjpeg, 160, 120, {}}, t0);
        ADD_FAILURE() << "overwrote a segment";
    } catch (const segment_error& e) {
        EXPECT_NE(std::string(e.what()).find("exists"), std::string::npos) << e.what();
    }
    try {
        segment_writer nowhere((dir.path / "gone" / "y.mp4").string(), {codec::mjpeg, 160, 120, {}}, t0);
        ADD_FAILURE() << "wrote into a missing folder";
    } catch (const segment_error& e) {
        EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
    }
    EXPECT_THROW(segment_writer((dir.path / "z.mp4").string(), {codec::h264, 160, 120, {}}, t0), segment_error);
}

}  // namespace
}  // namespace wscam::record
