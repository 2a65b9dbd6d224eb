#include "sources/network_url.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace wscam
