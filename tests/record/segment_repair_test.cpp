// A segment cut by a crash is cut back to its last whole fragment, and Debian's ffprobe and
// ffmpeg read what is left without a complaint.
#include "record/segment_repair.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "codec/jpeg_codec.hpp"
#include "codec/test_card.hpp"
#include "record/segment_writer.hpp"
#include "temp_folder.hpp"

namespace wscam::record {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t t0 = 1'765'000'000'000'000;

struct folder : temp_folder {
    folder() : temp_folder("wscam-repair") {}
};

/** A finished segment of `pictures` JPEGs at 10 fps: about one fragment per second. */
fs::path finished_segment(const fs::path& dir, int pictures) {
    test_card card(160, 120, 10);
    jpeg_encoder encoder;
    card.render(0, t0);
    std::vector<std::uint8_t> jpeg;
    jpeg.resize(encoder.encode_rgb(card.rgb(), 160, 120, 70, jpeg, 0));
    const auto file = dir / "whole.mp4";
    segment_writer w(file.string(), {codec::mjpeg, 160, 120, {}}, t0);
    for (int i = 0; i < pictures; ++i) w.add(jpeg, t0 + i * 100'000, true);
    w.close(t0 + pictures * 100'000);
    return file;
}

/** What ffmpeg says decoding it (empty: nothing wrong) and how many pictures ffprobe counts. */
std::pair<std::string, int> read_back(const fs::path& file) {
    auto run = [](const std::string& command) {
        std::string out;
        FILE* pipe = popen(command.c_str(), "r");
        char buffer[4096];
        while (pipe && std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
        if (pipe) pclose(pipe);
        return out;
    };
    const auto errors = run(std::string(FFMPEG_BIN) + " -v error -i '" + file.string() + "' -f null - 2>&1");
    const auto count = run(std::string(FFPROBE_BIN) + " -v error -count_packets -show_entries stream=nb_read_packets -of csv=p=0 '" +
                           file.string() + "' 2>&1");
    return {errors, std::atoi(count.c_str())};
}

TEST(segment_repair, a_finished_segment_is_left_alone) {
    folder dir;
    const auto file = finished_segment(dir.path, 25);
    const auto size = fs::file_size(file);
    EXPECT_EQ(repair_segment(file), std::nullopt);
    EXPECT_EQ(fs::file_size(file), size);
}

TEST(segment_repair, a_segment_cut_anywhere_keeps_its_whole_fragments_and_plays) {
    folder dir;
    const auto whole = finished_segment(dir.path, 35);
    std::ifstream in(whole, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    // Cut where a crash may leave it: inside a fragment's mdat, inside a moof header, just after a moof.
    int kept_before = 0;
    for (const double at : {0.3, 0.55, 0.8, 0.97}) {
        const auto file = dir.path / ("cut" + std::to_string(static_cast<int>(at * 100)) + ".mp4");
        std::ofstream(file, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() * at));
        const auto what = repair_segment(file);
        ASSERT_TRUE(what) << at;
        EXPECT_NE(what->find("cut back to its last whole fragment"), std::string::npos) << *what;
        const auto [errors, pictures] = read_back(file);
        EXPECT_EQ(errors, "") << "cut at " << at << ": " << *what;
        EXPECT_GE(pictures, kept_before) << "a later cut keeps at least as much";
        EXPECT_LT(pictures, 35);
        EXPECT_GT(pictures, 0);
        kept_before = pictures;
        EXPECT_EQ(repair_segment(file), std::nullopt) << "repairing twice changes nothing";
    }
    EXPECT_GE(kept_before, 30) << "cut at 97 %: all but the last fragment";
}

TEST(segment_repair, a_segment_with_nothing_that_plays_is_deleted) {
    folder dir;
    const auto whole = finished_segment(dir.path, 5);
    std::ifstream in(whole, std::ios::binary);
    std::vector<char> bytes(20);
    in.read(bytes.data(), 20);  // inside the header boxes
    const auto file = dir.path / "stub.mp4";
    std::ofstream(file, std::ios::binary).write(bytes.data(), 20);
    EXPECT_EQ(repair_segment(file), std::optional<std::string>("deleted: nothing in it plays"));
    EXPECT_FALSE(fs::exists(file));
}

TEST(segment_repair, box_sizes_are_never_trusted) {
    // ftyp, moov, then a moof whose size runs past the file, and one of size 3.
    std::vector<std::uint8_t> b = {0, 0, 0, 8, 'f', 't', 'y', 'p', 0, 0, 0, 8, 'm', 'o', 'o', 'v',
                                   0xFF, 0xFF, 0xFF, 0xF0, 'm', 'o', 'o', 'f'};
    auto read = [&](std::uint64_t at, std::span<std::uint8_t> out) {
        if (at + out.size() > b.size()) return false;
        std::copy_n(b.begin() + static_cast<std::ptrdiff_t>(at), out.size(), out.begin());
        return true;
    };
    EXPECT_EQ(inspect_segment(read, b.size()).playable, 16u);
    b[19] = 3;
    b[16] = b[17] = b[18] = 0;
    EXPECT_EQ(inspect_segment(read, b.size()).playable, 16u);
    // A 64-bit size of 2^64-1.
    b = {0, 0, 0, 8, 'f', 't', 'y', 'p', 0, 0, 0, 8, 'm', 'o', 'o', 'v', 0, 0, 0, 1, 'm', 'd', 'a', 't',
         0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    EXPECT_EQ(inspect_segment(read, b.size()).playable, 16u);
    EXPECT_FALSE(inspect_segment(read, b.size()).finished);
    // An mdat with no moof before it is no fragment.
    b = {0, 0, 0, 8, 'f', 't', 'y', 'p', 0, 0, 0, 8, 'm', 'o', 'o', 'v', 0, 0, 0, 9, 'm', 'd', 'a', 't', 7};
    EXPECT_EQ(inspect_segment(read, b.size()).playable, 16u);
}

}  // namespace
}  // namespace wscam::record
