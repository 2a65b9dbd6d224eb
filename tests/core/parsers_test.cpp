#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "protocol/viewer_message.hpp"
#include "core/controls.hpp"
#include "core/frame_size.hpp"
#include "core/source_uri.hpp"

namespace wscam {
namespace {

TEST(frame_size, parses_width_x_height_and_esp32_names) {
    EXPECT_EQ(parse_frame_size("640x480"), (frame_size{640, 480}));
    EXPECT_EQ(parse_frame_size("1280X720"), (frame_size{1280, 720}));
    EXPECT_EQ(parse_frame_size("QVGA"), (frame_size{320, 240}));
    EXPECT_EQ(parse_frame_size("vga"), (frame_size{640, 480}));
    EXPECT_EQ(parse_frame_size("HD"), (frame_size{1280, 720}));
    EXPECT_EQ(parse_frame_size("FHD"), (frame_size{1920, 1080}));
    EXPECT_EQ(parse_frame_size("UXGA"), (frame_size{1600, 1200}));
}

TEST(frame_size, rejects_malformed_and_out_of_range_sizes_with_a_reason) {
    for (const char* bad : {"", "x", "640", "640x", "x480", "640x480x2", "640 x 480", "1e3x10", "VGAA"}) {
        std::string error;
        EXPECT_FALSE(parse_frame_size(bad, &error)) << bad;
        EXPECT_NE(error.find("WIDTHxHEIGHT"), std::string::npos) << bad;
    }
    std::string error;
    EXPECT_FALSE(parse_frame_size("8x8", &error));
    EXPECT_NE(error.find("out of range"), std::string::npos);
    EXPECT_FALSE(parse_frame_size("100000x480"));
    EXPECT_FALSE(parse_frame_size("-640x480", &error));
    EXPECT_NE(error.find("out of range"), std::string::npos);
}

TEST(source_uri, splits_scheme_target_and_decoded_params) {
    auto uri = source_uri::parse("testsrc:?size=VGA&fps=15&label=front%20door");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->scheme, "testsrc");
    EXPECT_EQ(uri->target, "");
    EXPECT_EQ(uri->param("size"), "VGA");
    EXPECT_EQ(uri->param("fps"), "15");
    EXPECT_EQ(uri->param("label"), "front door");
    EXPECT_EQ(uri->param("nope"), std::nullopt);

    auto v4l2 = source_uri::parse("V4L2:/dev/video0?format=mjpeg");
    ASSERT_TRUE(v4l2);
    EXPECT_EQ(v4l2->scheme, "v4l2");
    EXPECT_EQ(v4l2->target, "/dev/video0");
}

TEST(source_uri, keeps_network_urls_whole) {
    auto uri = source_uri::parse("http://user:secret@board:81/stream?token=abc");
    ASSERT_TRUE(uri);
    EXPECT_EQ(uri->scheme, "http");
    EXPECT_EQ(uri->target, "http://user:secret@board:81/stream?token=abc");
    EXPECT_TRUE(uri->params.empty());
}

TEST(source_uri, redacts_credentials_and_tokens) {
    auto uri = source_uri::parse("http://user:secret@board:81/stream?token=abc");
    ASSERT_TRUE(uri);
    const auto shown = uri->redacted();
    EXPECT_EQ(shown.find("secret"), std::string::npos) << shown;
    EXPECT_EQ(shown.find("abc"), std::string::npos) << shown;
    EXPECT_NE(shown.find("board:81/stream"), std::string::npos) << shown;

    auto push = source_uri::parse("push:?token=hunter2");
    ASSERT_TRUE(push);
    EXPECT_EQ(push->redacted().find("hunter2"), std::string::npos);
}

TEST(source_uri, rejects_what_is_not_a_uri) {
    std::string error;
    EXPECT_FALSE(source_uri::parse("/dev/video0", &error));
    EXPECT_NE(error.find("no scheme"), std::string::npos);
    EXPECT_FALSE(source_uri::parse(":x"));
    EXPECT_FALSE(source_uri::parse("te st:x"));
    EXPECT_FALSE(source_uri::parse("testsrc:?fps=%zz", &error));
    EXPECT_NE(error.find("malformed"), std::string::npos);
    EXPECT_FALSE(source_uri::parse("testsrc:?fps=%4"));
}

TEST(client_message, parses_ping_pause_resume_and_control) {
    auto ping = parse_client_message(R"({"type":"ping","id":7,"t":1234.5})");
    ASSERT_TRUE(std::holds_alternative<ping_message>(ping));
    EXPECT_EQ(std::get<ping_message>(ping).id, 7);
    EXPECT_DOUBLE_EQ(std::get<ping_message>(ping).client_time, 1234.5);

    EXPECT_TRUE(std::get<pause_message>(parse_client_message(R"({"type":"pause"})")).paused);
    EXPECT_FALSE(std::get<pause_message>(parse_client_message(R"({"type":"resume"})")).paused);

    auto control = parse_client_message(R"({"type":"control","id":"brightness","value":3})");
    ASSERT_TRUE(std::holds_alternative<control_message>(control));
    EXPECT_EQ(std::get<control_message>(control).id, "brightness");
    EXPECT_EQ(std::get<control_message>(control).value, 3);
}

TEST(client_message, says_why_a_message_is_rejected) {
    auto reason = [](std::string_view text) {
        auto m = parse_client_message(text);
        return std::holds_alternative<invalid_message>(m) ? std::get<invalid_message>(m).reason : std::string("accepted");
    };
    EXPECT_EQ(reason("{"), "not valid JSON");
    EXPECT_EQ(reason("[1,2]"), "not a JSON object");
    EXPECT_EQ(reason(R"({"kind":"ping"})"), "missing \"type\" string");
    EXPECT_EQ(reason(R"({"type":"ping","id":"x"})"), "ping \"id\" must be an integer");
    EXPECT_EQ(reason(R"({"type":"control","value":1})"), "control needs an \"id\" string");
    EXPECT_EQ(reason(R"({"type":"control","id":"gain"})"), "control needs a numeric \"value\"");
    EXPECT_EQ(reason(R"({"type":"launch"})"), "unknown message type \"launch\"");
    EXPECT_EQ(reason(std::string(max_client_message_bytes + 1, ' ')), "message too large");
}

TEST(controls, values_are_checked_and_snapped_to_the_step) {
    std::string error;
    control_info q{"quality", "Quality", "int", 10, 90, 5, 50, {}};
    EXPECT_EQ(validate_control_value(q, 42, error), 40);
    EXPECT_EQ(validate_control_value(q, 43, error), 45);
    EXPECT_FALSE(validate_control_value(q, 95, error));
    EXPECT_NE(error.find("outside"), std::string::npos);
    EXPECT_FALSE(validate_control_value(q, std::nan(""), error));
    control_info awb{"awb", "White balance", "bool", 0, 1, 1, 0, {}};
    EXPECT_EQ(validate_control_value(awb, 7, error), 1);
    control_info size{"size", "Size", "menu", 0, 0, 1, 5, {{5, "QVGA"}, {8, "VGA"}}};
    EXPECT_EQ(validate_control_value(size, 8, error), 8);
    EXPECT_FALSE(validate_control_value(size, 6, error));
    EXPECT_NE(error.find("not one of its options"), std::string::npos);
    // Any finite number a viewer sends: never cast to an integer it does not fit (undefined behaviour).
    EXPECT_FALSE(validate_control_value(size, 1e300, error));
    EXPECT_EQ(error, "size: 1e+300 is not one of its options");
    EXPECT_FALSE(validate_control_value(size, 6.5, error));
    EXPECT_EQ(error, "size: 6.5 is not one of its options");
}

TEST(controls, a_value_is_written_as_a_whole_number_only_when_it_is_one) {
    EXPECT_EQ(control_value_text(-2), "-2");
    EXPECT_EQ(control_value_text(1200), "1200");
    EXPECT_EQ(control_value_text(0.25), "0.25");
    EXPECT_EQ(control_value_text(-1e300), "-1e+300");
    EXPECT_EQ(control_value_text(9.3e18), "9.3e+18");
}

TEST(client_message, server_messages_are_the_documented_json) {
    hello_fields fields{"default", 640, 480, 30, true, "", "wscam.v1", 42, {}, false, "jpeg", "", ""};
    fields.controls.push_back({"brightness", "Brightness", "int", -2, 2, 1, 0, {}});
    fields.controls.push_back({"size", "Frame size", "menu", 0, 0, 1, 5, {{5, "QVGA"}, {8, "VGA"}}});
    auto hello = nlohmann::json::parse(make_hello_message(fields));
    EXPECT_EQ(hello["type"], "hello");
    EXPECT_EQ(hello["stream"], "default");
    EXPECT_EQ(hello["width"], 640);
    EXPECT_EQ(hello["server_time_us"], 42);
    EXPECT_FALSE(hello.contains("reason"));
    EXPECT_EQ(hello["can_control"], false);
    EXPECT_EQ(hello["codec"], "jpeg");
    EXPECT_FALSE(hello.contains("codec_string")) << "only for H.264";
    EXPECT_FALSE(hello.contains("codec_note"));
    fields.codec = "h264";
    fields.codec_string = "avc1.42C01E";
    const auto h264 = nlohmann::json::parse(make_hello_message(fields));
    EXPECT_EQ(h264["codec"], "h264");
    EXPECT_EQ(h264["codec_string"], "avc1.42C01E");
    EXPECT_EQ(hello["controls"][0], nlohmann::json::parse(
        R"({"id":"brightness","name":"Brightness","type":"int","min":-2.0,"max":2.0,"step":1.0,"value":0.0})"));
    EXPECT_EQ(hello["controls"][1]["options"][1]["label"], "VGA");
    EXPECT_EQ(nlohmann::json::parse(make_control_changed_message("cam", "brightness", 1))["value"], 1.0);

    auto status = nlohmann::json::parse(make_status_message("cam", false, "unplugged"));
    EXPECT_EQ(status["state"], "offline");
    EXPECT_EQ(status["reason"], "unplugged");

    auto pong = nlohmann::json::parse(make_pong_message(ping_message{3, 99.5}, 77));
    EXPECT_EQ(pong["id"], 3);
    EXPECT_EQ(pong["t"], 99.5);
    EXPECT_EQ(pong["server_time_us"], 77);
}

}  // namespace
}  // namespace wscam
