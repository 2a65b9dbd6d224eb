#include "server/api_render.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace wscam {
namespace {

TEST(api_render, a_command_line_is_cut_to_its_kind) {
    EXPECT_EQ(source_without_command_line("exec:curl -u *** http://cam/"), "exec");
    EXPECT_EQ(source_without_command_line("nats: node A (exec:ffmpeg -i x (y) -)"), "nats: node A (exec)");
    // Other descriptions already hold no credentials (URLs lose their user and query).
    EXPECT_EQ(source_without_command_line("http://***@cam:81/stream?…"), "http://***@cam:81/stream?…");
    EXPECT_EQ(source_without_command_line("testsrc:?size=640x480"), "testsrc:?size=640x480");
    EXPECT_EQ(source_without_command_line("nats: node B (push:)"), "nats: node B (push:)");
    EXPECT_EQ(source_without_command_line(""), "");
}

TEST(api_render, streams_show_command_lines_only_where_allowed) {
    stream_registry streams;
    streams.add("cam")->set_info({320, 240, 15, "exec:curl -u *** http://cam/"});
    streams.add("yard")->set_info({320, 240, 15, "exec:ffmpeg -i rtsp://***@yard/live -"});
    const auto json = nlohmann::json::parse(streams_json(streams, [](const std::string& s) { return s == "yard"; }));
    EXPECT_EQ(json["streams"][0]["source"], "exec");
    EXPECT_EQ(json["streams"][1]["source"], "exec:ffmpeg -i rtsp://***@yard/live -");
}


TEST(api_render, the_origin_check_says_whether_and_how_to_allow_the_asking_page) {
    auto j = nlohmann::json::parse(origin_check_json("https://shop.example", std::nullopt));
    EXPECT_EQ(j["origin"], "https://shop.example");
    EXPECT_EQ(j["allowed"], true);
    EXPECT_FALSE(j.contains("reason"));
    j = nlohmann::json::parse(origin_check_json("https://evil.example\x1b[2J", std::string("start wscam with --allow-origin X")));
    EXPECT_EQ(j["allowed"], false);
    EXPECT_EQ(j["reason"], "start wscam with --allow-origin X");
    EXPECT_EQ(j["origin"], "https://evil.example [2J") << "sanitised where it enters";
}

}  // namespace
}  // namespace wscam
