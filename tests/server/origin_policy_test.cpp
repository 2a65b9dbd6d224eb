#include "server/origin_policy.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

TEST(origin_policy, a_page_from_the_host_the_client_addressed_may_open_websockets_on_any_port) {
    EXPECT_EQ(origin_refusal("http://cam.local:8080", "cam.local:8080", {}), std::nullopt);
    EXPECT_EQ(origin_refusal("http://192.168.1.20", "192.168.1.20:81", {}), std::nullopt) << "the tutorial: page on :80, ws on :81";
    EXPECT_EQ(origin_refusal("https://CAM.local", "cam.local", {}), std::nullopt) << "host names are case-insensitive";
    EXPECT_EQ(origin_refusal("http://[::1]:8080", "[::1]:8080", {}), std::nullopt);
}

TEST(origin_policy, requests_without_an_origin_or_with_one_no_page_has_are_not_from_a_page_and_pass) {
    EXPECT_EQ(origin_refusal("", "cam.local", {}), std::nullopt);
    EXPECT_EQ(origin_refusal("file://", "cam.example:8080", {}), std::nullopt)
        << "arduinoWebSockets (the ESP32 library) sends this; browsers send \"null\" for file:// pages";
}

TEST(origin_policy, a_page_from_anywhere_else_is_refused_with_the_option_that_allows_it) {
    const auto why = origin_refusal("http://localhost:9999", "127.0.0.1:8080", {});
    ASSERT_TRUE(why);
    EXPECT_EQ(*why, "a page from http://localhost:9999 may not open this WebSocket "
                    "(start wscam with --allow-origin http://localhost:9999 to allow it)");
    EXPECT_TRUE(origin_refusal("null", "cam.local", {})) << "sandboxed frames and file:// pages";
    EXPECT_TRUE(origin_refusal("http://cam.local.evil.example", "cam.local", {}));
    EXPECT_TRUE(origin_refusal("http://evil.example/cam.local", "cam.local", {}));
    EXPECT_TRUE(origin_refusal("http://user@cam.local", "cam.local", {}));
    EXPECT_TRUE(origin_refusal("http://cam.local", "", {})) << "no Host: nothing to compare with";
    EXPECT_EQ(origin_refusal("http://localhost:9999", "127.0.0.1:8080", {}, "delete recordings"),
              "a page from http://localhost:9999 may not delete recordings "
              "(start wscam with --allow-origin http://localhost:9999 to allow it)");
}

TEST(origin_policy, allow_origin_lists_more_origins_or_all) {
    EXPECT_EQ(origin_refusal("https://dash.example:8443", "cam.local", {"https://dash.example:8443"}), std::nullopt);
    EXPECT_TRUE(origin_refusal("https://dash.example", "cam.local", {"https://dash.example:8443"})) << "exact origins";
    EXPECT_EQ(origin_refusal("http://anything", "cam.local", {"*"}), std::nullopt);
}

}  // namespace
}  // namespace wscam
