#include "record/time_text.hpp"

#include <gtest/gtest.h>

namespace wscam::record {
namespace {

constexpr std::int64_t t = 1'796'626'200'000'000;  // 2026-12-07T06:50:00Z

TEST(time_text, unix_seconds_and_iso_8601_utc_are_the_same_time) {
    EXPECT_EQ(parse_time("1796626200"), t);
    EXPECT_EQ(parse_time("1796626200.25"), t + 250'000);
    EXPECT_EQ(parse_time("1796626200.000001"), t + 1);
    EXPECT_EQ(parse_time("2026-12-07T06:50:00Z"), t);
    EXPECT_EQ(parse_time("2026-12-07T06:50:00.25Z"), t + 250'000);
    EXPECT_EQ(parse_time("2026-12-07T06:50:00.123456Z"), t + 123'456);
    EXPECT_EQ(parse_time(iso_time(t + 7)), t + 7) << "what the API writes, it reads";
    EXPECT_EQ(iso_time(t + 123'456), "2026-12-07T06:50:00.123456Z");
    EXPECT_EQ(parse_time("2024-02-29T00:00:00Z"), std::int64_t{1'709'164'800} * 1'000'000) << "a leap day";
}

TEST(time_text, refuses_what_is_not_one_of_the_two) {
    for (const char* bad : {"", "yesterday", "-1", "1796626200.", "1796626200.1234567", "17966262001234", "1e9",
                            "2026-12-07T06:50:00", "2026-12-07T06:50:00+01:00", "2026-12-07 06:50:00Z", "2026-13-07T06:50:00Z",
                            "2026-12-07T24:50:00Z", "2026-02-30T00:00:00Z", "2025-02-29T12:00:00Z", "2026-04-31T00:00:00Z", "2026-12-07T06:50:00.Z", "2026-12-07T06:50:00ZZ", "1969-12-31T23:59:59Z",
                            "2026-12-07T06:50:00.1234567Z"})
        EXPECT_EQ(parse_time(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace wscam::record
