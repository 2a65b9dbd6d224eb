#include "server/byte_range.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

using kind = byte_range::kind;

void expect_part(std::string_view header, std::uint64_t size, std::uint64_t first, std::uint64_t length) {
    const auto r = parse_byte_range(header, size);
    EXPECT_EQ(r.what, kind::part) << header;
    EXPECT_EQ(r.first, first) << header;
    EXPECT_EQ(r.length, length) << header;
}

TEST(byte_range, one_range_in_each_form) {
    expect_part("bytes=0-99", 1000, 0, 100);
    expect_part("bytes=100-199", 1000, 100, 100);
    expect_part("bytes=900-", 1000, 900, 100);  // to the end
    expect_part("bytes=900-5000", 1000, 900, 100);  // a last byte past the end means the end
    expect_part("bytes=-50", 1000, 950, 50);  // the last 50
    expect_part("bytes=-5000", 1000, 0, 1000);  // more than there is: all of it
    expect_part(" bytes=0-0 ", 1000, 0, 1);
}

TEST(byte_range, past_the_end_is_unsatisfiable) {
    EXPECT_EQ(parse_byte_range("bytes=1000-", 1000).what, kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=5000-6000", 1000).what, kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=-0", 1000).what, kind::unsatisfiable);
    EXPECT_EQ(parse_byte_range("bytes=0-", 0).what, kind::unsatisfiable);
}

TEST(byte_range, anything_else_is_the_whole_file) {
    for (const char* h : {"", "bytes", "bytes=", "bytes=-", "items=0-9", "bytes=0-9,20-29", "bytes=9-0", "bytes=a-9",
                          "bytes=0x10-", "bytes=+1-2", "bytes=99999999999999999999-", "bytes=1-2-3"})
        EXPECT_EQ(parse_byte_range(h, 1000).what, kind::whole) << h;
}

}  // namespace
}  // namespace wscam
