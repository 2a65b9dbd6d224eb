#include <gtest/gtest.h>

#include <algorithm>

#include "../codec/jpeg_fixtures.hpp"
#include "core/frame_hub.hpp"
#include "sources/frame_intake.hpp"
#include "sources/network_url.hpp"
#include "source_errors.hpp"
#include "sources/source_factory.hpp"

namespace wscam {
namespace {

TEST(network_url, takes_apart_camera_urls) {
    auto u = parse_network_url("http://admin:p%40ss@192.168.4.1:81/stream?x=1");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->scheme, "http");
    EXPECT_EQ(u->user, "admin");
    EXPECT_EQ(u->password, "p@ss");
    EXPECT_EQ(u->host, "192.168.4.1");
    EXPECT_EQ(u->port, 81);
    EXPECT_EQ(u->target, "/stream?x=1");
    EXPECT_EQ(u->host_header(), "192.168.4.1:81");
    EXPECT_EQ(u->redacted(), "http://***@192.168.4.1:81/stream?…");

    auto ws = parse_network_url("wss://cam.example");
    ASSERT_TRUE(ws);
    EXPECT_EQ(ws->port, 443);
    EXPECT_EQ(ws->target, "/");
    EXPECT_TRUE(ws->tls());
    EXPECT_EQ(ws->host_header(), "cam.example");

    auto v6 = parse_network_url("ws://[::1]:8081/");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->host_header(), "[::1]:8081");
}

TEST(network_url, refuses_what_it_cannot_connect_to) {
    std::string error;
    EXPECT_FALSE(parse_network_url("ftp://x/", &error));
    EXPECT_NE(error.find("scheme"), std::string::npos);
    EXPECT_FALSE(parse_network_url("http:///stream", &error));
    EXPECT_FALSE(parse_network_url("http://host:0/", &error));
    EXPECT_FALSE(parse_network_url("http://ho st/", &error));
}

TEST(frame_intake, publishes_valid_jpegs_with_their_size) {
    auto hub = std::make_shared<frame_hub>("cam");
    frame_intake intake(hub, 1 << 20);
    const auto jpeg = test::make_jpeg(64, 48);
    EXPECT_TRUE(intake.offer(jpeg));
    auto f = hub->latest();
    ASSERT_TRUE(f);
    EXPECT_TRUE(std::equal(jpeg.begin(), jpeg.end(), f->jpeg().begin(), f->jpeg().end()));
    EXPECT_EQ(f->memory_bytes(), frame::header_size + jpeg.size()) << "exactly its JPEG behind the header";
    EXPECT_EQ(f->width(), 64);
    EXPECT_EQ(f->height(), 48);
    EXPECT_EQ(hub->info().width, 64) << "viewers are told the camera's size";
}

TEST(frame_intake, refuses_bad_frames_with_the_reason_and_never_forwards_them) {
    auto hub = std::make_shared<frame_hub>("cam");
    const auto good = test::make_jpeg(64, 48);
    frame_intake intake(hub, good.size() + 10);
    const std::vector<std::uint8_t> text{'h', 'e', 'l', 'l', 'o'};
    EXPECT_FALSE(intake.offer(text));
    EXPECT_NE(intake.reason().find("not a JPEG"), std::string::npos);

    auto truncated = good;
    truncated.resize(good.size() / 3);
    truncated.push_back(0xFF);
    truncated.push_back(0xD9);
    std::vector<std::uint8_t> headerless{0xFF, 0xD8, 0xFF, 0xD9};
    EXPECT_FALSE(intake.offer(headerless));
    EXPECT_NE(intake.reason().find("header"), std::string::npos);

    auto big = test::make_jpeg(320, 240, 1, 95);
    EXPECT_FALSE(intake.offer(big));
    EXPECT_NE(intake.reason().find("exceeds --max-frame-bytes"), std::string::npos);

    EXPECT_EQ(hub->latest(), nullptr);
    EXPECT_EQ(hub->rejected(), 3u);
    EXPECT_TRUE(intake.offer(good));
}

TEST(source_factory, explains_unknown_schemes_and_parameters) {
    auto hub = std::make_shared<frame_hub>("cam");
    auto error_of = [&](const std::string& uri) { return testing::source_error(uri, hub); };
    EXPECT_NE(error_of("rtsp://cam/").find("not supported"), std::string::npos);
    EXPECT_NE(error_of("file:/no/such/dir").find("no such file"), std::string::npos);
    EXPECT_NE(error_of("pipe:").find("needs '-'"), std::string::npos);
    EXPECT_NE(error_of("pipe:-?fps=3").find("takes none"), std::string::npos);
    EXPECT_NE(error_of("file:/tmp?speed=2").find("unknown parameter 'speed'"), std::string::npos);
    EXPECT_NE(error_of("http://ho st/").find("'http://ho st/'"), std::string::npos);
    EXPECT_EQ(error_of("push:?token=abc"), "accepted");
    EXPECT_TRUE(hub->gate());
    EXPECT_TRUE(hub->gate()->token_ok("abc"));
}

}  // namespace
}  // namespace wscam
