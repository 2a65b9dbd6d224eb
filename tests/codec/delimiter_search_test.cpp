#include "codec/delimiter_search.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wscam {
namespace {

// Where the delimiter ends in `stream` fed in pieces of `step` bytes (offsets in the whole stream).
std::vector<std::size_t> ends(const std::string& delimiter, const std::string& stream, std::size_t step) {
    delimiter_search search(delimiter);
    std::vector<std::size_t> found;
    for (std::size_t at = 0; at < stream.size(); at += step) {
        const auto* piece = reinterpret_cast<const std::uint8_t*>(stream.data()) + at;
        const std::size_t n = std::min(step, stream.size() - at);
        for (std::size_t from = 0; from < n;) {
            const auto end = search.scan(piece + from, n - from);
            if (end == delimiter_search::npos) break;
            found.push_back(at + from + end);
            from += end;
        }
    }
    return found;
}

TEST(delimiter_search, finds_a_delimiter_cut_at_any_byte_and_one_that_begins_inside_a_false_start) {
    // "--a--a--aX" inside "--a--a--a--aX": the first try fails at its last byte, the match begins 3 bytes in.
    const std::string stream = "xx--a--a--a--aXyy--a--a--aX";
    for (std::size_t step = 1; step <= stream.size(); ++step)
        EXPECT_EQ(ends("--a--a--aX", stream, step), (std::vector<std::size_t>{15, 27})) << "pieces of " << step;
}

TEST(delimiter_search, a_partial_match_is_kept_between_pieces_until_reset) {
    delimiter_search search("--frame");
    const std::string a = "jpeg bytes\r\n--fr", b = "ame\r\n";
    EXPECT_EQ(search.scan(reinterpret_cast<const std::uint8_t*>(a.data()), a.size()), delimiter_search::npos);
    EXPECT_EQ(search.scan(reinterpret_cast<const std::uint8_t*>(b.data()), b.size()), 3u);
    EXPECT_EQ(search.scan(reinterpret_cast<const std::uint8_t*>(a.data()), a.size()), delimiter_search::npos);
    search.reset();
    EXPECT_EQ(search.scan(reinterpret_cast<const std::uint8_t*>(b.data()), b.size()), delimiter_search::npos);
}

}  // namespace
}  // namespace wscam
