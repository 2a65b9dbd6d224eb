#include "sources/exec/stderr_lines.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace wscam {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
using lines = std::vector<std::string>;

TEST(stderr_lines, splits_at_line_breaks_and_makes_each_line_safe_to_log) {
    lines got;
    stderr_lines log([&](const std::string& l) { got.push_back(l); });
    const auto t = clock::now();
    log.feed("first\nsec", t);
    log.feed("ond\r\n\nframe=  1\rframe=  2\r", t);
    log.feed("\x1b[31mred\x1b[0m \xff\n  \t \nunfinished", t);
    EXPECT_EQ(got, (lines{"first", "second", "frame=  1", "frame=  2", " [31mred [0m \xEF\xBF\xBD"}))
        << "escape sequences lose their ESC, invalid UTF-8 becomes U+FFFD, blank lines are skipped";
    log.finish(t + 2s);
    EXPECT_EQ(got.back(), "unfinished");
}

TEST(stderr_lines, cuts_a_long_line_with_an_ellipsis) {
    lines got;
    stderr_lines log([&](const std::string& l) { got.push_back(l); });
    log.feed(std::string(100000, 'x') + "\nnext\n", clock::now());
    ASSERT_EQ(got.size(), 2u);
    EXPECT_LE(got[0].size(), 512u);
    EXPECT_EQ(got[0].substr(got[0].size() - 3), "\xE2\x80\xA6");
    EXPECT_EQ(got[1], "next");
}

TEST(stderr_lines, lets_five_lines_a_second_through_then_says_how_many_it_held_back) {
    lines got;
    stderr_lines log([&](const std::string& l) { got.push_back(l); });
    const auto t = clock::now();
    for (int i = 1; i <= 12; ++i) log.feed("line " + std::to_string(i) + "\n", t + std::chrono::milliseconds(i));
    EXPECT_EQ(got, (lines{"line 1", "line 2", "line 3", "line 4", "line 5"}));
    log.tick(t + 500ms);
    EXPECT_EQ(got.size(), 5u) << "the second is not over yet";
    log.tick(t + 1001ms);
    EXPECT_EQ(got.back(), "7 lines suppressed");
    log.feed("line 13\n", t + 1100ms);
    EXPECT_EQ(got.back(), "line 13") << "a new second lets lines through again";
    for (int i = 14; i <= 20; ++i) log.feed("line " + std::to_string(i) + "\n", t + 1200ms);
    log.finish(t + 1300ms);
    EXPECT_EQ(got.back(), "3 lines suppressed") << "the end reports what is still held back";
}

}  // namespace
}  // namespace wscam
