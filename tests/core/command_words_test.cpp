#include <gtest/gtest.h>

#include "core/command_words.hpp"
#include "core/redaction.hpp"
#include "core/source_uri.hpp"

namespace wscam {
namespace {

using words = std::vector<std::string>;

words split(std::string_view text) {
    std::string error;
    auto w = split_command_words(text, &error);
    EXPECT_TRUE(w) << "'" << text << "': " << error;
    return w ? *w : words{};
}

std::string error_of(std::string_view text) {
    std::string error;
    auto w = split_command_words(text, &error);
    EXPECT_FALSE(w) << "'" << text << "' was accepted";
    return error;
}

TEST(command_words, spaces_tabs_and_line_breaks_separate_words) {
    EXPECT_EQ(split("ffmpeg -i x"), (words{"ffmpeg", "-i", "x"}));
    EXPECT_EQ(split("  ffmpeg\t-i \n x\r\n"), (words{"ffmpeg", "-i", "x"}));
    EXPECT_EQ(split("a \\\n b"), (words{"a", "b"})) << "a backslash-newline continues the line";
}

TEST(command_words, single_quotes_keep_everything_literally) {
    EXPECT_EQ(split("sh -c 'ffmpeg -i \"$URL\" \\ & wait'"), (words{"sh", "-c", "ffmpeg -i \"$URL\" \\ & wait"}));
    EXPECT_EQ(split("echo 'a\tb\nc'"), (words{"echo", "a\tb\nc"})) << "tabs and newlines inside quotes stay";
}

TEST(command_words, double_quotes_escape_only_quote_backslash_dollar_and_backtick) {
    EXPECT_EQ(split(R"(echo "a \"b\" \\ \$HOME \` \n \x")"), (words{"echo", R"(a "b" \ $HOME ` \n \x)"}));
    EXPECT_EQ(split("echo \"a\\\nb\""), (words{"echo", "ab"})) << "backslash-newline inside double quotes is removed";
    EXPECT_EQ(split("echo \"it's\""), (words{"echo", "it's"}));
}

TEST(command_words, a_backslash_outside_quotes_makes_the_next_character_literal) {
    EXPECT_EQ(split(R"(a\ b c\"d e\'f \\)"), (words{"a b", "c\"d", "e'f", "\\"}));
    EXPECT_EQ(split("\\$HOME \\*"), (words{"$HOME", "*"}));
}

TEST(command_words, quoted_parts_join_the_word_around_them) {
    EXPECT_EQ(split(R"(-vf "scale=640:-1"x 'a'"b"c)"), (words{"-vf", "scale=640:-1x", "abc"}));
    EXPECT_EQ(split(R"(prog '' "" x)"), (words{"prog", "", "", "x"})) << "empty quotes are empty words";
}

TEST(command_words, nothing_is_expanded_or_interpreted_as_a_shell_would) {
    EXPECT_EQ(split("echo $HOME * ~ | grep x; rm -rf / > out `id` $(id)"),
              (words{"echo", "$HOME", "*", "~", "|", "grep", "x;", "rm", "-rf", "/", ">", "out", "`id`", "$(id)"}));
}

TEST(command_words, the_examples_of_the_readme_split_as_a_shell_would) {
    EXPECT_EQ(split("rpicam-vid -t 0 --codec mjpeg -o -"), (words{"rpicam-vid", "-t", "0", "--codec", "mjpeg", "-o", "-"}));
    EXPECT_EQ(split("ffmpeg -rtsp_transport tcp -i 'rtsp://u:p@cam/live?ch=1&sub=0' -f mjpeg -q:v 5 -"),
              (words{"ffmpeg", "-rtsp_transport", "tcp", "-i", "rtsp://u:p@cam/live?ch=1&sub=0", "-f", "mjpeg", "-q:v", "5", "-"}));
}

TEST(command_words, unterminated_quotes_are_refused_with_where_they_opened) {
    EXPECT_EQ(error_of("ffmpeg -i 'rtsp://cam"), "unterminated single quote (opened at character 11)");
    EXPECT_EQ(error_of("echo \"abc"), "unterminated double quote (opened at character 6)");
    EXPECT_EQ(error_of("echo \"abc\\\""), "unterminated double quote (opened at character 6)")
        << "an escaped quote does not close";
    EXPECT_EQ(error_of("echo 'a' \"b"), "unterminated double quote (opened at character 10)");
}

TEST(command_words, empty_commands_lone_backslashes_and_nul_bytes_are_refused) {
    EXPECT_NE(error_of("").find("empty command"), std::string::npos);
    EXPECT_NE(error_of(" \t\n ").find("empty command"), std::string::npos);
    EXPECT_NE(error_of("\\\n").find("empty command"), std::string::npos);
    EXPECT_EQ(error_of("'' -i x"), "the program name is empty");
    EXPECT_EQ(error_of("ffmpeg -i x\\"), "ends with a lone backslash");
    EXPECT_EQ(error_of(std::string_view("ffmpeg\0-i", 9)), "the command contains a NUL byte");
}

TEST(command_words, an_exec_source_uri_keeps_its_command_whole_and_shows_it_redacted) {
    auto uri = source_uri::parse("exec:ffmpeg -i 'rtsp://u:secret@cam/live?ch=1&token=t' -f mjpeg -");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->scheme, "exec");
    EXPECT_EQ(uri->target, "ffmpeg -i 'rtsp://u:secret@cam/live?ch=1&token=t' -f mjpeg -");
    EXPECT_TRUE(uri->params.empty()) << "'?' and '&' belong to the command";
    EXPECT_EQ(uri->redacted(), "exec:ffmpeg -i 'rtsp://***@cam/live?ch=1&token=***' -f mjpeg -");
}

}  // namespace
}  // namespace wscam
