#include "record/export_reservations.hpp"
#include "record/recording_options.hpp"
#include "record/timelapse.hpp"
#include "record/plain_file.hpp"
#include "record/recorder.hpp"
#include "record/segment_writer.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "temp_folder.hpp"

namespace wscam::record {
namespace {

TEST(timelapse, periods_as_people_write_them) {
    EXPECT_EQ(parse_timelapse("60s"), 60);
    EXPECT_EQ(parse_timelapse("60"), 60);
    EXPECT_EQ(parse_timelapse("5m"), 300);
    EXPECT_EQ(parse_timelapse("24h"), 86'400);
    EXPECT_EQ(parse_timelapse("0"), 0) << "none";
    for (const char* bad : {"0.5s", "1.5", "25h", "2d", "-1", "s", "", "60x", "1e3"})
        EXPECT_EQ(parse_timelapse(bad), std::nullopt) << bad;
}

TEST(timelapse, file_names_are_a_day_and_a_part) {
    const auto first = timelapse_name("2026-12-07.mp4");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->day, "2026-12-07");
    EXPECT_EQ(first->part, 1);
    EXPECT_EQ(timelapse_name("2026-12-07-2.mp4")->part, 2);
    EXPECT_EQ(timelapse_name("2026-12-07-9999.mp4")->part, 9999);
    for (const char* bad : {"2026-12-07-1.mp4", "2026-12-07-02.mp4", "2026-12-07-10000.mp4", "2026-12-7.mp4", "2026-12-07.mp",
                            "2026-12-07.mp4.tmp", "../2026-12-07.mp4", "2026_12_07.mp4", "2026-12-07-.mp4", "20261207T063000.123456Z.mp4"})
        EXPECT_EQ(timelapse_name(bad), std::nullopt) << bad;
}

TEST(timelapse, a_folder_lists_its_files_by_day_and_part_and_nothing_else) {
    temp_folder dir("timelapse");
    for (const char* name : {"2026-12-08.mp4", "2026-12-07-2.mp4", "2026-12-07.mp4", "notes.txt", "2026-12-07-10.mp4"})
        std::ofstream(dir.path / name) << "x";
    std::filesystem::create_directory(dir.path / "2026-12-09.mp4");  // not a plain file
    std::filesystem::create_symlink("/etc/passwd", dir.path / "2026-12-10.mp4");
    std::vector<std::string> names;
    for (const auto& f : timelapse_files(dir.path)) names.push_back(f.name);
    EXPECT_EQ(names, (std::vector<std::string>{"2026-12-07.mp4", "2026-12-07-2.mp4", "2026-12-07-10.mp4", "2026-12-08.mp4"}));
}

TEST(export_reservations, exports_made_together_cannot_each_take_the_same_free_disk) {
    export_reservations r;
    constexpr std::uint64_t margin = 50;
    auto first = r.reserve(30, 100, margin);
    ASSERT_TRUE(first);
    EXPECT_EQ(r.reserved(), 30u);
    // The disk has not shrunk yet (the first is still being built): 100 free, 30 of them promised.
    EXPECT_FALSE(r.reserve(30, 100, margin)) << "a second export took the first one's room";
    EXPECT_EQ(r.reserved(), 30u) << "a refused reservation holds nothing";
    EXPECT_TRUE(r.reserve(20, 100, margin)) << "what is left is 20";
    first.reset();  // written: its file is gone, its bytes free again
    EXPECT_EQ(r.reserved(), 0u);
    EXPECT_TRUE(r.reserve(50, 100, margin));
    EXPECT_FALSE(r.reserve(1, 40, margin)) << "less free than the margin";
}

}  // namespace
}  // namespace wscam::record

namespace wscam::record {
namespace {

std::string read_all(const std::filesystem::path& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(plain_file, a_new_file_is_never_made_through_what_is_at_its_name) {
    // A review planted links where wscam would write (a timelapse's next part, an export's
    // temporary file, the folder's write probe) and had files elsewhere created or truncated.
    temp_folder dir("plain-file");
    const auto victim = dir.path / "victim";
    std::ofstream(victim) << "IMPORTANT";
    std::filesystem::create_symlink(victim, dir.path / "to-victim");
    std::filesystem::create_symlink(dir.path / "nowhere", dir.path / "dangling");
    std::filesystem::create_symlink(dir.path / "loop", dir.path / "loop");
    std::string why;
    for (const char* name : {"to-victim", "dangling", "loop", "victim"}) {
        EXPECT_FALSE(create_new_file(dir.path / name, &why)) << name;
        EXPECT_EQ(why, "it exists") << name;
    }
    EXPECT_EQ(read_all(victim), "IMPORTANT");
    EXPECT_FALSE(std::filesystem::exists(dir.path / "nowhere")) << "a dangling link's target was created";
    EXPECT_TRUE(create_new_file(dir.path / "new.mp4", &why));
    EXPECT_TRUE(plain_file(dir.path / "new.mp4"));
    // The folder's write probe: a link planted at its name is removed, never written through.
    std::filesystem::create_symlink(victim, dir.path / ".wscam-write-test");
    check_folder(dir.path);
    EXPECT_EQ(read_all(victim), "IMPORTANT");
    // A segment is not written through a link at its name either.
    EXPECT_THROW(segment_writer((dir.path / "to-victim").string(), segment_format{codec::mjpeg, 16, 16, {}}, 0), segment_error);
    EXPECT_EQ(read_all(victim), "IMPORTANT");
}

}  // namespace
}  // namespace wscam::record
