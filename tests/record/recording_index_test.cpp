#include "record/recording_index.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "codec/jpeg_codec.hpp"
#include "codec/test_card.hpp"
#include "record/recorder.hpp"
#include "temp_folder.hpp"

namespace wscam::record {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t t0 = 1'765'000'000'123'456;  // 2025-12-06T05:46:40.123456Z

/** A test's folder, with the stream folder "cam" in it. */
struct folder : temp_folder {
    folder() : temp_folder("wscam-index") { fs::create_directories(path / "cam"); }
};

/** A finished JPEG segment of `pictures` at 10 fps starting at `start`, named as the recorder names it. */
fs::path write_segment(const fs::path& dir, std::int64_t start, int pictures) {
    test_card card(160, 120, 10);
    jpeg_encoder encoder;
    card.render(0, start);
    std::vector<std::uint8_t> jpeg;
    jpeg.resize(encoder.encode_rgb(card.rgb(), 160, 120, 70, jpeg, 0));
    const auto file = dir / segment_file_name(start);
    segment_writer w(file.string(), {codec::mjpeg, 160, 120, {}}, start);
    for (int i = 0; i < pictures; ++i) w.add(jpeg, start + i * 100'000, true);
    w.close(start + pictures * 100'000);
    return file;
}

TEST(segment_start, reads_the_recorders_names_and_nothing_else) {
    EXPECT_EQ(segment_start(segment_file_name(t0)), t0);
    EXPECT_EQ(segment_file_name(t0), "20251206T054640.123456Z.mp4");
    EXPECT_EQ(segment_start("20251206T054640.123456Z-2.mp4"), t0) << "a second segment begun in the same microsecond";
    for (const char* bad : {"", "x.mp4", "../20251206T054640.123456Z.mp4", "20251206T054640.123456Z.mp4/..",
                            "20251306T054640.123456Z.mp4", "20251206T254640.123456Z.mp4", "20251206T054640.123456Z.MP4",
                            "20251206T054640.123456Z-.mp4", "20251206T054640.123456Z-12345.mp4", "2025120AT054640.123456Z.mp4",
                            "20251206T054640,123456Z.mp4", "20251206T054640.123456Z%2F.mp4"})
        EXPECT_EQ(segment_start(bad), std::nullopt) << bad;
}

TEST(recording_index, lists_a_streams_segments_that_overlap_a_time_range_oldest_first) {
    folder dir;
    recording_index index(dir.path / "index.sqlite3");
    const auto name = [](std::int64_t us) { return segment_file_name(t0 + us); };
    const segment_entry a{"cam", name(100), 100, 200, 10, 1000, codec::mjpeg, 640, 480};
    const segment_entry b{"cam", name(300), 300, 400, 10, 1000, codec::h264, 640, 480};
    const segment_entry other{"door", name(100), 100, 400, 10, 1000, codec::mjpeg, 640, 480};
    index.add(b);
    index.add(a);
    index.add(other);
    EXPECT_EQ(index.list("cam", 0, 1000), (std::vector<segment_entry>{a, b}));
    EXPECT_EQ(index.list("cam", 150, 250), (std::vector<segment_entry>{a}));
    EXPECT_EQ(index.list("cam", 250, 299), (std::vector<segment_entry>{})) << "a gap";
    EXPECT_EQ(index.list("cam", 400, 500), (std::vector<segment_entry>{b})) << "the ends count";
    EXPECT_EQ(index.find("cam", name(300)), b);
    EXPECT_EQ(index.find("cam", name(500)), std::nullopt);
    EXPECT_EQ(index.streams(), (std::vector<std::string>{"cam", "door"}));
    index.remove("cam", name(100));
    EXPECT_EQ(index.list("cam", 0, 1000), (std::vector<segment_entry>{b}));
}

TEST(recording_index, lists_at_most_as_many_as_asked_the_oldest) {
    // A long recording is many rows: an answer (and an I/O thread) must not hold them all.
    folder dir;
    recording_index index(dir.path / "index.sqlite3");
    std::vector<segment_entry> all;
    for (std::int64_t i = 0; i < 5; ++i) {
        all.push_back({"cam", segment_file_name(t0 + i * 100), i * 100, i * 100 + 99, 1, 10, codec::mjpeg, 320, 240});
        index.add(all.back());
    }
    EXPECT_EQ(index.list("cam", 0, 1000, 2), (std::vector<segment_entry>{all[0], all[1]}));
    EXPECT_EQ(index.list("cam", 150, 1000, 2), (std::vector<segment_entry>{all[1], all[2]}));
    EXPECT_EQ(index.list("cam", 0, 1000, 0), (std::vector<segment_entry>{}));
    EXPECT_EQ(index.list("cam", 0, 1000).size(), 5u);
}

TEST(recording_index, follows_the_files_they_are_the_truth) {
    folder dir;
    const auto first = write_segment(dir.path / "cam", t0, 20);
    const auto second = write_segment(dir.path / "cam", t0 + 2'000'000, 15);
    std::ofstream(dir.path / "cam" / "notes.txt") << "not a segment";
    {
        recording_index index(dir.path / "index.sqlite3");
        EXPECT_EQ(index.sync_folder("cam", dir.path / "cam"), 2u);
        const auto rows = index.list("cam", 0, INT64_MAX);
        ASSERT_EQ(rows.size(), 2u);
        EXPECT_EQ(rows[0].name, first.filename().string());
        EXPECT_EQ(rows[0].start_us, t0);
        EXPECT_EQ(rows[0].end_us, t0 + 2'000'000) << "the last picture lasts until close()";
        EXPECT_EQ(rows[0].frames, 20u);
        EXPECT_EQ(rows[0].bytes, fs::file_size(first));
        EXPECT_EQ(rows[0].codec, codec::mjpeg);
        EXPECT_EQ(rows[0].width, 160);
        EXPECT_EQ(rows[1].frames, 15u);
        EXPECT_EQ(index.sync_folder("cam", dir.path / "cam"), 0u) << "nothing changed, nothing read";
        fs::remove(first);
    }
    recording_index reopened(dir.path / "index.sqlite3");
    EXPECT_EQ(reopened.list("cam", 0, INT64_MAX).size(), 2u) << "kept across restarts";
    EXPECT_EQ(reopened.sync_folder("cam", dir.path / "cam"), 1u) << "a deleted file's row goes";
    ASSERT_EQ(reopened.list("cam", 0, INT64_MAX).size(), 1u);
    EXPECT_EQ(reopened.list("cam", 0, INT64_MAX)[0].name, second.filename().string());
}

TEST(recording_index, rows_that_name_no_segment_of_a_stream_are_never_listed) {
    // The index is a file in the folder: rows someone else wrote must lead to no other file.
    folder dir;
    recording_index index(dir.path / "index.sqlite3");
    const segment_entry sound{"cam", segment_file_name(t0), 0, 100, 1, 10, codec::mjpeg, 160, 120};
    index.add(sound);
    for (const auto& [stream, name] : std::vector<std::pair<std::string, std::string>>{
             {"cam", "../outside/victim"}, {"cam", "/etc/passwd"}, {".", segment_file_name(t0)},
             {"..", segment_file_name(t0)}, {"a/b", segment_file_name(t0)}, {"cam", "notes.txt"}})
        index.add({stream, name, 0, 100, 1, 10, codec::mjpeg, 160, 120});
    EXPECT_EQ(index.all(), (std::vector<segment_entry>{sound}));
    EXPECT_EQ(index.list("cam", 0, 1000), (std::vector<segment_entry>{sound}));
    EXPECT_EQ(index.find("cam", "/etc/passwd"), std::nullopt);
}

TEST(recording_index, reads_no_file_but_a_plain_one) {
    folder dir;
    const auto real = write_segment(dir.path, t0, 5);  // outside the stream's folder
    fs::create_symlink(real, dir.path / "cam" / segment_file_name(t0 + 10'000'000));
    ASSERT_EQ(::mkfifo((dir.path / "cam" / segment_file_name(t0 + 20'000'000)).c_str(), 0600), 0);
    recording_index index(dir.path / "index.sqlite3");
    EXPECT_EQ(index.sync_folder("cam", dir.path / "cam"), 0u) << "a link or a FIFO was indexed (or the FIFO blocked)";
    std::string why;
    EXPECT_EQ(read_segment(dir.path / "cam" / segment_file_name(t0 + 10'000'000), &why), std::nullopt);
    EXPECT_NE(why.find("not a plain file"), std::string::npos) << why;
}

TEST(recording_index, refuses_a_file_that_is_no_segment) {
    folder dir;
    std::ofstream(dir.path / "cam" / segment_file_name(t0)) << "not an mp4";
    std::string why;
    EXPECT_EQ(read_segment(dir.path / "cam" / segment_file_name(t0), &why), std::nullopt);
    EXPECT_EQ(why, "cannot be opened as MP4");
    EXPECT_THROW(recording_index(dir.path / "missing" / "index.sqlite3"), index_error);
}

}  // namespace
}  // namespace wscam::record
