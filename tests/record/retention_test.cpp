#include "record/retention.hpp"

#include <gtest/gtest.h>

namespace wscam::record {
namespace {

constexpr std::int64_t s = 1'000'000, day = 86400 * s;
constexpr std::int64_t now = 1'796'626'200 * s;

segment_entry seg(const std::string& stream, std::int64_t start, std::uint64_t bytes) {
    return {stream, std::to_string(start), start, start + 300 * s, 3000, bytes, codec::mjpeg, 640, 480};
}

std::vector<std::string> names(const std::vector<segment_entry>& list) {
    std::vector<std::string> out;
    for (const auto& e : list) out.push_back(e.stream + "@" + std::to_string((now - e.start_us) / day) + "d");
    return out;
}

TEST(retention, a_segment_older_than_the_streams_max_age_goes) {
    const std::vector<segment_entry> all{seg("cam", now - 9 * day, 10), seg("cam", now - 3 * day, 10),
                                         seg("door", now - 9 * day, 10)};
    const auto gone = expired_segments(all, {{"cam", {7 * day, 0}}, {"door", {}}}, 0, now);
    EXPECT_EQ(names(gone), (std::vector<std::string>{"cam@9d"})) << "door has no limit";
}

TEST(retention, a_stream_over_its_bytes_loses_its_oldest_first_and_the_folder_cap_takes_the_oldest_of_any) {
    const std::vector<segment_entry> all{seg("cam", now - 1 * day, 100), seg("cam", now - 3 * day, 100),
                                         seg("cam", now - 2 * day, 100), seg("door", now - 4 * day, 100),
                                         seg("door", now - 1 * day, 100)};
    EXPECT_EQ(names(expired_segments(all, {{"cam", {0, 150}}}, 0, now)), (std::vector<std::string>{"cam@3d", "cam@2d"}))
        << "cam keeps its newest 100 bytes; door has no limit of its own";
    EXPECT_EQ(names(expired_segments(all, {}, 300, now)), (std::vector<std::string>{"door@4d", "cam@3d"}))
        << "the folder: the oldest of any stream until 300 bytes are left";
    EXPECT_EQ(names(expired_segments(all, {{"cam", {0, 150}}}, 250, now)),
              (std::vector<std::string>{"door@4d", "cam@3d", "cam@2d"}))
        << "cam's own cap first (200 bytes), then the folder's takes the oldest left";
    EXPECT_TRUE(expired_segments(all, {{"cam", {}}}, 0, now).empty()) << "no limits, nothing goes";
}

TEST(retention, ages_and_sizes_as_people_write_them) {
    EXPECT_EQ(parse_age("7d"), 7 * day);
    EXPECT_EQ(parse_age("12h"), 12 * 3600 * s);
    EXPECT_EQ(parse_age("30m"), 1800 * s);
    EXPECT_EQ(parse_age("90s"), 90 * s);
    EXPECT_EQ(parse_age("3600"), 3600 * s);
    EXPECT_EQ(parse_age("0"), 0);
    EXPECT_EQ(parse_bytes("20G"), 20ull << 30);
    EXPECT_EQ(parse_bytes("500M"), 500ull << 20);
    EXPECT_EQ(parse_bytes("2T"), 2ull << 40);
    EXPECT_EQ(parse_bytes("4096"), 4096u);
    for (const char* bad : {"", "d", "7 d", "-1d", "7w", "1.5d", "99999999999999999d", "9999999999999999"})
        EXPECT_EQ(parse_age(bad), std::nullopt) << bad;
    for (const char* bad : {"", "G", "20GB", "-5M", "1.5G", "99999999999T", "20g"})
        EXPECT_EQ(parse_bytes(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace wscam::record
