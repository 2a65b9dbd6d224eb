#include "cluster/subjects.hpp"

#include <gtest/gtest.h>

#include "core/stream.hpp"

namespace wscam::cluster {
namespace {

TEST(subjects, escape_token_keeps_letters_digits_underscore_and_dash_and_hex_escapes_the_rest) {
    EXPECT_EQ(escape_token("a.b*c>d e%"), "a%2Eb%2Ac%3Ed%20e%25");
    EXPECT_EQ(escape_token("\r\n\xff"), "%0D%0A%FF");
    EXPECT_EQ(escape_token(std::string_view("\0", 1)), "%00");
    EXPECT_EQ(escape_token(""), "");
}

TEST(subjects, every_byte_value_round_trips_through_a_token_without_dots_or_wildcards) {
    std::string all;
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
    const auto token = escape_token(all);
    EXPECT_EQ(token.find_first_of(".*> \t\r\n"), std::string::npos);
    EXPECT_EQ(unescape_token(token), all);
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        EXPECT_EQ(unescape_token(escape_token(one)), one) << b;
    }
}

TEST(subjects, every_valid_stream_name_is_its_own_token) {
    std::string alphabet = "_-";
    for (char c = 'a'; c <= 'z'; ++c) alphabet += c;
    for (char c = 'A'; c <= 'Z'; ++c) alphabet += c;
    for (char c = '0'; c <= '9'; ++c) alphabet += c;
    for (const auto& name : {alphabet, std::string("cam"), std::string("front-door_2"), std::string(64, 'x')}) {
        ASSERT_TRUE(stream_registry::valid_name(name)) << name;
        EXPECT_EQ(escape_token(name), name);
    }
}

TEST(subjects, unescape_accepts_only_what_escape_produces) {
    for (const char* bad : {"%", "%2", "%2e", "%zz", "a.b", "a b", "%41", "a%2", "*", ">"})
        EXPECT_FALSE(unescape_token(bad)) << bad;
}

TEST(subjects, builds_subjects_from_the_prefix_and_an_escaped_stream) {
    const subjects s;
    EXPECT_EQ(s.announce(), "wscam.announce");
    EXPECT_EQ(s.frame("cam"), "wscam.frame.cam");
    EXPECT_EQ(s.controls("cam"), "wscam.controls.cam");
    EXPECT_EQ(s.control("cam"), "wscam.control.cam");
    EXPECT_EQ(s.all_controls(), "wscam.controls.*");
    EXPECT_EQ(s.all_control(), "wscam.control.*");
    EXPECT_EQ(s.frame("a.b >"), "wscam.frame.a%2Eb%20%3E");
    const subjects other{"site1"};
    EXPECT_EQ(other.frame("cam"), "site1.frame.cam");
}

TEST(subjects, stream_of_reads_the_stream_back_from_a_subject_of_its_kind) {
    const subjects s;
    EXPECT_EQ(s.stream_of("wscam.frame.cam", "frame"), "cam");
    EXPECT_EQ(s.stream_of("wscam.controls.cam", "controls"), "cam");
    EXPECT_EQ(s.stream_of("wscam.control.cam", "control"), "cam");
    EXPECT_EQ(s.stream_of(s.frame("a.b*c"), "frame"), "a.b*c");
}

TEST(subjects, stream_of_refuses_other_shapes_prefixes_kinds_and_bad_escapes) {
    const subjects s;
    for (const char* bad : {"wscam.frame.a.b", "wscam.frame.", "wscam.frame", "other.frame.x", "wscam.frame.%2",
                            "wscam.frame.%2e", "wscam.frame.*", "wscam.frame.>", "wscam.controls.cam", "wscamx.frame.cam",
                            "wscam.framex.cam", "wscam..frame.cam", "", "wscam"})
        EXPECT_FALSE(s.stream_of(bad, "frame")) << bad;
    EXPECT_FALSE(s.stream_of("wscam.control.cam", "controls"));
}

}  // namespace
}  // namespace wscam::cluster
