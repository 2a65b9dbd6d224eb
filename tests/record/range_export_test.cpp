// export_range and still_at against real segments and Debian's ffprobe: an export holds exactly
// the pictures of its range, at their capture times, as they were recorded.
#include "record/range_export.hpp"
#include "record/recorded_frames.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include <cmath>

#include "codec/jpeg_codec.hpp"
#include "record/recorded_still.hpp"
#include "record/recorder.hpp"
#include "record/recording_index.hpp"
#include "record/segment_packets.hpp"
#include "record/segment_writer.hpp"
#include "temp_folder.hpp"
#include "test_media.hpp"

namespace wscam::record {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t t0 = 1'765'000'000'000'000;
constexpr std::int64_t ms = 1'000;

struct folder : temp_folder {
    folder() : temp_folder("wscam-export") {}
};

using segment_list = std::vector<std::pair<fs::path, std::int64_t>>;

/** Writes `payloads[first, last)` as one segment, picture i captured at t0 + i * 100 ms. */
std::pair<fs::path, std::int64_t> write_segment(const fs::path& dir, codec c, int w, int h,
                                                const std::vector<std::vector<std::uint8_t>>& payloads,
                                                const std::vector<bool>& keyframes, std::size_t first, std::size_t last) {
    const std::int64_t start = t0 + static_cast<std::int64_t>(first) * 100 * ms;
    const auto path = dir / segment_file_name(start);
    segment_format format{c, w, h, {}};
    if (c == codec::h264) format.h264_keyframe = payloads[first];
    segment_writer writer(path.string(), format, start);
    for (std::size_t i = first; i < last; ++i)
        writer.add(payloads[i], t0 + static_cast<std::int64_t>(i) * 100 * ms, keyframes[i]);
    writer.close(t0 + static_cast<std::int64_t>(last) * 100 * ms);
    return {path, start};
}

/** H.264 units as write_segment takes them: the bytes, and which are keyframes. */
std::pair<std::vector<std::vector<std::uint8_t>>, std::vector<bool>> split(const std::vector<test_media::h264_unit>& units) {
    std::pair<std::vector<std::vector<std::uint8_t>>, std::vector<bool>> out;
    for (const auto& u : units) {
        out.first.push_back(u.bytes);
        out.second.push_back(u.keyframe);
    }
    return out;
}

/** Every picture of a file, read back as segment_packets reads it (times from `start`). */
std::vector<std::pair<std::vector<std::uint8_t>, std::int64_t>> read_back(const fs::path& file, std::int64_t start) {
    segment_packets pictures(file, start);
    std::vector<std::pair<std::vector<std::uint8_t>, std::int64_t>> out;
    while (const auto p = pictures.next()) out.push_back({{p->data.begin(), p->data.end()}, p->capture_us});
    return out;
}

TEST(range_export, a_jpeg_export_holds_exactly_the_range_with_its_gap_and_the_recorded_bytes) {
    folder dir;
    const auto pictures = test_media::jpegs(160, 120, 80, t0);
    const std::vector<bool> all_keys(80, true);
    // Two segments with a gap: pictures 0-29 (0.0-2.9 s), then the camera was away until 5.0 s (50-79).
    const segment_list segments{write_segment(dir.path, codec::mjpeg, 160, 120, pictures, all_keys, 0, 30),
                                write_segment(dir.path, codec::mjpeg, 160, 120, pictures, all_keys, 50, 80)};
    const auto out = dir.path / "export.mp4";
    const std::int64_t from = t0 + 1'050 * ms, to = t0 + 6'050 * ms;
    const auto result = export_range(segments, from, to, out);
    // [1.05 s, 6.05 s): pictures 11-29 and 50-60.
    EXPECT_EQ(result.frames, 19u + 11u);
    EXPECT_EQ(result.first_us, t0 + 1'100 * ms);
    EXPECT_EQ(result.last_us, t0 + 6'000 * ms);
    const auto info = test_media::probe(out);
    EXPECT_EQ(info["streams"][0]["codec_name"], "mjpeg");
    EXPECT_EQ(info["streams"][0]["nb_read_frames"], "30");
    const auto back = read_back(out, from);
    ASSERT_EQ(back.size(), 30u);
    for (std::size_t k = 0; k < back.size(); ++k) {
        const std::size_t i = k < 19 ? 11 + k : 50 + (k - 19);
        EXPECT_EQ(back[k].first, pictures[i]) << "picture " << i << " is not the recorded JPEG";
        EXPECT_EQ(back[k].second, t0 + static_cast<std::int64_t>(i) * 100 * ms) << "picture " << i << " at its capture time";
    }
    // The gap stays a gap: the picture after it comes 2.1 s after the one before.
    EXPECT_EQ(back[19].second - back[18].second, 2'100 * ms);
}

TEST(range_export, an_h264_export_starts_at_the_keyframe_before_and_shows_only_the_range) {
    folder dir;
    const auto pictures = test_media::jpegs(320, 240, 30, t0);
    const auto units = test_media::h264_units(pictures, 320, 240, {0, 20});
    const auto [payloads, keys] = split(units);
    ASSERT_TRUE(keys[0] && keys[20]);
    for (std::size_t i = 1; i < 20; ++i) ASSERT_FALSE(keys[i]) << i;
    const segment_list segments{write_segment(dir.path, codec::h264, 320, 240, payloads, keys, 0, 30)};
    const auto out = dir.path / "export.mp4";
    // [0.55 s, 2.45 s): pictures 6-24; 0-5 are written too (6 needs them) but hidden.
    const auto result = export_range(segments, t0 + 550 * ms, t0 + 2'450 * ms, out);
    EXPECT_EQ(result.frames, 19u);
    const auto info = test_media::probe(out);
    EXPECT_EQ(info["streams"][0]["codec_name"], "h264");
    EXPECT_EQ(info["streams"][0]["nb_read_packets"], "25");
    EXPECT_EQ(info["streams"][0]["nb_read_frames"], "19") << "players must show the range only";
    const auto decoded = test_media::run(std::string(FFMPEG_BIN) + " -v error -i '" + out.string() + "' -f null -");
    EXPECT_EQ(decoded, "") << "ffmpeg decodes the export without complaint";
}

TEST(range_export, refuses_an_empty_range_and_a_change_of_size) {
    folder dir;
    const auto small = test_media::jpegs(160, 120, 20, t0);
    const auto large = test_media::jpegs(320, 240, 20, t0);
    const std::vector<bool> keys(20, true);
    const auto a = write_segment(dir.path, codec::mjpeg, 160, 120, small, keys, 0, 10);
    const auto b = write_segment(dir.path, codec::mjpeg, 320, 240, large, keys, 10, 20);
    const auto out = dir.path / "export.mp4";
    EXPECT_THROW(export_range({a}, t0 + 5'000 * ms, t0 + 6'000 * ms, out), export_error);  // after the recording
    EXPECT_THROW(export_range({a}, t0 + 500 * ms, t0 + 500 * ms, out), export_error);
    try {
        export_range({a, b}, t0, t0 + 2'000 * ms, out);
        ADD_FAILURE() << "a change of size was exported";
    } catch (const export_error& e) {
        EXPECT_NE(std::string(e.what()).find("changes codec or size"), std::string::npos) << e.what();
    }
}

TEST(range_export, a_segment_deleted_since_it_was_listed_is_left_out_and_an_empty_newest_one_ends_it) {
    folder dir;
    const auto pictures = test_media::jpegs(160, 120, 30, t0);
    const std::vector<bool> keys(30, true);
    segment_list segments{write_segment(dir.path, codec::mjpeg, 160, 120, pictures, keys, 0, 10),
                          write_segment(dir.path, codec::mjpeg, 160, 120, pictures, keys, 10, 20),
                          write_segment(dir.path, codec::mjpeg, 160, 120, pictures, keys, 20, 30)};
    fs::remove(segments[1].first);                              // retention, or a DELETE, meanwhile
    std::ofstream(dir.path / "newest.mp4").put('\0');          // a recorder has just created it
    segments.emplace_back(dir.path / "newest.mp4", t0 + 3'000 * ms);
    const auto result = export_range(segments, t0, t0 + 10'000 * ms, dir.path / "export.mp4");
    EXPECT_EQ(result.frames, 20u);
    EXPECT_EQ(jpegs_from(segments, t0, 100, 1u << 30).size(), 20u);
}

TEST(recorded_still, a_jpeg_recording_gives_the_picture_shown_at_that_time_as_recorded) {
    folder dir;
    const auto pictures = test_media::jpegs(160, 120, 10, t0);
    const auto [file, start] = write_segment(dir.path, codec::mjpeg, 160, 120, pictures, std::vector<bool>(10, true), 0, 10);
    const auto still = still_at(file, start, t0 + 450 * ms);  // picture 4 (0.4 s) is on screen at 0.45 s
    ASSERT_TRUE(still);
    EXPECT_EQ(still->jpeg, pictures[4]);
    EXPECT_EQ(still->capture_us, t0 + 400 * ms);
    EXPECT_FALSE(still_at(file, start, t0 - 1));
}

/** Mean absolute difference of the pixels of two JPEGs of the same size. */
double difference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    jpeg_decoder decoder;
    std::vector<std::uint8_t> ga, gb;
    int w = 0, h = 0;
    EXPECT_TRUE(decoder.decode_rgb(a, ga, w, h));
    EXPECT_TRUE(decoder.decode_rgb(b, gb, w, h));
    if (ga.size() != gb.size() || ga.empty()) return 1e9;
    double sum = 0;
    for (std::size_t i = 0; i < ga.size(); ++i) sum += std::abs(int(ga[i]) - int(gb[i]));
    return sum / static_cast<double>(ga.size());
}

TEST(recorded_still, an_h264_recording_is_decoded_from_its_keyframe_to_the_picture_at_that_time) {
    folder dir;
    const auto pictures = test_media::jpegs(320, 240, 20, t0);
    const auto units = test_media::h264_units(pictures, 320, 240, {0, 10});
    const auto [payloads, keys] = split(units);
    const auto [file, start] = write_segment(dir.path, codec::h264, 320, 240, payloads, keys, 0, 20);
    const auto still = still_at(file, start, t0 + 1'630 * ms);  // picture 16, six after the keyframe at 10
    ASSERT_TRUE(still);
    EXPECT_EQ(still->capture_us, t0 + 1'600 * ms);
    // It is picture 16 (the test card stamps each picture): closer to it than to its neighbours.
    const double right = difference(still->jpeg, pictures[16]);
    EXPECT_LT(right, difference(still->jpeg, pictures[15]));
    EXPECT_LT(right, difference(still->jpeg, pictures[12]));
}

TEST(recorded_frames, the_pictures_from_the_one_on_screen_across_segments_and_gaps_bounded) {
    folder dir;
    const auto pictures = test_media::jpegs(160, 120, 60, t0);
    const std::vector<bool> keys(60, true);
    const segment_list segments{write_segment(dir.path, codec::mjpeg, 160, 120, pictures, keys, 0, 20),
                                write_segment(dir.path, codec::mjpeg, 160, 120, pictures, keys, 40, 60)};
    // 1.25 s: picture 12 (1.2 s) is on screen; then 13-19, the gap, 40-...
    const auto got = jpegs_from(segments, t0 + 1'250 * ms, 15, 1u << 30);
    ASSERT_EQ(got.size(), 15u);
    for (std::size_t k = 0; k < got.size(); ++k) {
        const std::size_t i = k < 8 ? 12 + k : 40 + (k - 8);
        EXPECT_EQ(got[k].jpeg, pictures[i]) << k;
        EXPECT_EQ(got[k].capture_us, t0 + static_cast<std::int64_t>(i) * 100 * ms) << k;
    }
    // On a picture's own time, that picture first; bounded by bytes (the one crossing is the last).
    const auto exact = jpegs_from(segments, t0 + 500 * ms, 100, pictures[5].size() + 1);
    ASSERT_EQ(exact.size(), 2u);
    EXPECT_EQ(exact[0].capture_us, t0 + 500 * ms);
    // Before the recording: its first picture; after it: its last.
    EXPECT_EQ(jpegs_from(segments, t0 - 5'000 * ms, 1, 1u << 30).at(0).capture_us, t0);
    const auto after = jpegs_from(segments, t0 + 9'000 * ms, 10, 1u << 30);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0].capture_us, t0 + 5'900 * ms);
}

TEST(recorded_frames, an_h264_segment_ends_the_list) {
    folder dir;
    const auto pictures = test_media::jpegs(160, 120, 20, t0);
    const auto units = test_media::h264_units(pictures, 160, 120, {0, 10});
    const auto [payloads, keys] = split(units);
    const segment_list segments{write_segment(dir.path, codec::mjpeg, 160, 120, pictures, std::vector<bool>(20, true), 0, 10),
                                write_segment(dir.path, codec::h264, 160, 120, payloads, keys, 10, 20)};
    EXPECT_EQ(jpegs_from(segments, t0, 100, 1u << 30).size(), 10u);
}

}  // namespace
}  // namespace wscam::record
