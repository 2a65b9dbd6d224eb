#include "server/host_header.hpp"
#include "server/host_policy.hpp"
#include "server/tls_redirect.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

TEST(host_header, names_addresses_and_ports) {
    auto h = parse_host_header("Cam.Example:8080");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->host, "cam.example");
    EXPECT_EQ(h->port, 8080);
    EXPECT_FALSE(h->ip_literal);
    EXPECT_EQ(h->text(), "cam.example:8080");
    EXPECT_EQ(parse_host_header("localhost.")->host, "localhost");
    EXPECT_EQ(parse_host_header("my_cam")->host, "my_cam");
    EXPECT_TRUE(parse_host_header("192.168.1.20")->ip_literal);
    EXPECT_FALSE(parse_host_header("192.168.1.20")->port);
    h = parse_host_header("[::1]:81");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->host, "[::1]");
    EXPECT_EQ(h->port, 81);
    EXPECT_TRUE(h->ip_literal);
    EXPECT_EQ(parse_host_header("[FE80::1]")->host, "[fe80::1]");
    EXPECT_FALSE(parse_host_header("cam:")->port);  // an empty port is none
    EXPECT_EQ(parse_host_header("cam:0")->port, 0);
    EXPECT_EQ(parse_host_header("cam:65535")->port, 65535);
    EXPECT_FALSE(parse_host_header("127.1")->ip_literal) << "only dotted quads are addresses";
}

TEST(host_header, anything_that_is_not_host_and_port_is_refused) {
    for (const char* bad : {"", ":80", "evil.example@127.0.0.1", "127.0.0.1/evil", "cam\\evil", "cam example", "cam\t",
                            "cam\r\nX: y", "[::1", "[::1]x", "[zz::1]", "[]", "::1", "cam:65536", "cam:8o",
                            "cam:123456", ".cam", "a..b", "c%61m", "cam?x", "cam#x", "ca\xc3\xa9m"})
        EXPECT_FALSE(parse_host_header(bad)) << bad;
    EXPECT_TRUE(parse_host_header("[::1]:")) << "an empty port after an address";
    // Found by the parsers fuzz target: inet_pton stops at a NUL, so this read as "[::]".
    const std::string nul_inside("[::\0/x]:81", 10);
    EXPECT_FALSE(parse_host_header(nul_inside));
    EXPECT_FALSE(parse_host_header("[fe80::1%eth0]")) << "a zone is not part of a Host";
    EXPECT_FALSE(parse_host_header(std::string(254, 'a')));
    EXPECT_TRUE(parse_host_header(std::string(253, 'a')));
}

TEST(host_policy, addresses_localhost_and_given_names_pass_others_do_not) {
    const host_allow_list allowed({"Cam.Example", "*.home.arpa", "wscam-box", "wscam-box.local"});
    auto pass = [&](const char* host) { return !check_host(host, allowed); };
    EXPECT_TRUE(pass("127.0.0.1:8080"));
    EXPECT_TRUE(pass("[::1]:8080"));
    EXPECT_TRUE(pass("10.0.0.7"));
    EXPECT_TRUE(pass("localhost:8080"));
    EXPECT_TRUE(pass("LOCALHOST."));
    EXPECT_TRUE(pass("cam.example"));
    EXPECT_TRUE(pass("porch.home.arpa"));
    EXPECT_TRUE(pass("a.porch.home.arpa"));
    EXPECT_TRUE(pass("wscam-box.local:8080"));
    EXPECT_TRUE(pass("")) << "no Host: no browser";
    EXPECT_FALSE(pass("home.arpa"));
    EXPECT_FALSE(pass("evilhome.arpa"));
    EXPECT_FALSE(pass("cam.example.evil"));
    EXPECT_FALSE(pass("sub.localhost"));
    EXPECT_FALSE(pass("evil.example:8080"));
}

TEST(host_policy, a_refusal_says_why_and_which_option_to_set) {
    const host_allow_list none;
    const auto refusal = check_host("Evil.Example:8080", none);
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->status, 421);
    EXPECT_NE(refusal->reason.find("Host evil.example is not a name of this server"), std::string::npos) << refusal->reason;
    EXPECT_NE(refusal->reason.find("DNS rebinding"), std::string::npos);
    EXPECT_NE(refusal->reason.find("--allowed-host evil.example"), std::string::npos);
    const auto bad = check_host("a@b\x01", none);
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    EXPECT_EQ(bad->reason.find('\x01'), std::string::npos) << "outside text is sanitised";
}

TEST(host_policy, a_star_allows_every_host) {
    const host_allow_list any({"*"});
    EXPECT_FALSE(check_host("evil.example", any));
    EXPECT_TRUE(check_host("a@b", any)) << "but a Host must still be a host";
}

TEST(host_policy, the_machine_names_are_its_host_name_and_dot_local) {
    const auto names = machine_names();
    ASSERT_GE(names.size(), 2u);
    EXPECT_TRUE(names[1].ends_with(".local"));
    const host_allow_list allowed(names);
    EXPECT_FALSE(check_host(names[0], allowed));
    EXPECT_FALSE(check_host(names[1] + ":8080", allowed));
}

TEST(host_policy, what_allowed_host_takes) {
    for (const char* ok : {"cam.example.org", "CAM", "*.home.arpa", "*", "192.168.1.20", "[::1]"})
        EXPECT_TRUE(valid_allowed_host(ok)) << ok;
    for (const char* bad : {"", "http://cam.example", "cam.example:8080", "*.", "**", "*cam", "cam/x", "a b"})
        EXPECT_FALSE(valid_allowed_host(bad)) << bad;
}

TEST(tls_redirect, built_from_the_parsed_host_and_a_path) {
    EXPECT_EQ(https_location("Cam.Lan:8080", "/view/x?a=%20b&c=//d@e"), "https://cam.lan:8080/view/x?a=%20b&c=//d@e");
    EXPECT_EQ(https_location("[::1]:8443", "/"), "https://[::1]:8443/");
    // Leading slashes collapse: the path cannot be read as a host.
    EXPECT_EQ(https_location("cam.lan", "//evil.example/x"), "https://cam.lan/evil.example/x");
    EXPECT_EQ(https_location("cam.lan", "///"), "https://cam.lan/");
}

TEST(tls_redirect, a_target_or_host_that_could_move_it_elsewhere_is_refused) {
    // "GET @evil.example/" once went to https://camera.lan@evil.example/.
    for (const char* target : {"@evil.example/", "http://evil.example/", "", "*", "evil.example", "/\\evil.example",
                               "/a b", "/a\x01", "/a\x7f", "/caf\xc3\xa9"})
        EXPECT_FALSE(https_location("camera.lan", target)) << target;
    for (const char* host : {"", "camera.lan@evil.example", "evil.example/x", "camera.lan:99999", "[::1"})
        EXPECT_FALSE(https_location(host, "/")) << host;
}

}  // namespace
}  // namespace wscam
