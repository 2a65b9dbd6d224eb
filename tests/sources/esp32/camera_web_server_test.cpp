#include "sources/esp32/camera_web_server.hpp"

#include <gtest/gtest.h>

#include "sources/esp32/camera_web_server_controls.hpp"

namespace wscam::esp32 {
namespace {

// What arduino-esp32's CameraWebServer answers on /status (OV2640, current firmware), register dumps included.
constexpr const char* status_body = R"({"0xd3":8,"0x111":0,"0x132":9,"xclk":20,"pixformat":4,"framesize":6,"quality":12,
"brightness":0,"contrast":0,"saturation":0,"sharpness":0,"special_effect":0,"wb_mode":0,"awb":1,"awb_gain":1,"aec":1,
"aec2":0,"ae_level":0,"aec_value":168,"agc":1,"agc_gain":0,"gainceiling":0,"bpc":0,"wpc":1,"raw_gma":1,"lenc":1,
"hmirror":0,"vflip":0,"dcw":1,"colorbar":0,"led_intensity":-1})";

TEST(camera_web_server, status_becomes_the_boards_controls_with_names_ranges_and_menus) {
    const auto r = read_status(status_body, framesize_numbering::current);
    ASSERT_TRUE(r.is_camera_web_server);
    const auto* quality = find_control(r.controls, "quality");
    ASSERT_NE(quality, nullptr);
    EXPECT_EQ(quality->type, "int");
    EXPECT_EQ(quality->min, 4);
    EXPECT_EQ(quality->max, 63);
    EXPECT_EQ(quality->value, 12);
    EXPECT_EQ(find_control(r.controls, "sharpness"), nullptr) << "reported, but /control refuses it";
    EXPECT_EQ(find_control(r.controls, "led_intensity"), nullptr) << "-1: no LED";
    EXPECT_EQ(find_control(r.controls, "awb")->type, "bool");
    EXPECT_EQ(find_control(r.controls, "special_effect")->options.at(6).label, "Sepia");
    EXPECT_EQ(find_control(r.controls, "gainceiling")->options.at(6).label, "128x");
    EXPECT_EQ(find_control(r.controls, "framesize")->options.at(6).label, "QVGA 320x240");
    EXPECT_EQ(r.controls.front().id, "framesize") << "in the order of the board's own page";
}

TEST(camera_web_server, older_firmware_offers_only_what_it_reports) {
    const auto r = read_status(R"({"framesize":5,"quality":10,"brightness":1,"led_intensity":128})",
                               framesize_numbering::before_2_0_14);
    ASSERT_TRUE(r.is_camera_web_server);
    ASSERT_EQ(r.controls.size(), 4u);
    EXPECT_EQ(find_control(r.controls, "framesize")->options.at(5).label, "QVGA 320x240");
    EXPECT_EQ(find_control(r.controls, "led_intensity")->value, 128);
}

TEST(camera_web_server, frame_size_numbering_is_told_by_the_frames_the_board_sends) {
    EXPECT_EQ(guess_numbering(6, 320, 240), framesize_numbering::current);
    EXPECT_EQ(guess_numbering(5, 320, 240), framesize_numbering::before_2_0_14);
    EXPECT_EQ(guess_numbering(8, 640, 480), framesize_numbering::before_2_0_14);
    EXPECT_EQ(guess_numbering(10, 640, 480), framesize_numbering::current);
    EXPECT_EQ(guess_numbering(1, 160, 120), std::nullopt) << "the same in both";
    EXPECT_EQ(guess_numbering(6, 999, 999), std::nullopt);
    EXPECT_EQ(framesize_dimensions(7, framesize_numbering::current), (std::pair{320, 320}));
    EXPECT_EQ(framesize_dimensions(99, framesize_numbering::current), std::nullopt);
}

TEST(camera_web_server, anything_else_is_not_a_camera_web_server_and_says_why) {
    EXPECT_EQ(read_status("<html>", framesize_numbering::current).why_not, "its /status is not a JSON object");
    EXPECT_EQ(read_status(R"({"quality":1,"brightness":0})", framesize_numbering::current).why_not,
              "its /status has no numeric \"framesize\"");
}

TEST(camera_web_server, absurd_numbers_in_status_are_no_reading_and_never_reach_an_integer) {
    // A board (or anything answering on its port) may report any JSON number: 1e300 as a frame
    // size was cast to int (undefined behaviour) and widened a range viewers could then set.
    const auto r = read_status(R"({"framesize":1e300,"quality":12,"brightness":1e300,"contrast":-1e300,
        "saturation":2147483648,"aec_value":5e9,"agc_gain":3})", framesize_numbering::current);
    ASSERT_TRUE(r.is_camera_web_server);
    for (const char* id : {"framesize", "brightness", "contrast", "saturation", "aec_value"})
        EXPECT_EQ(find_control(r.controls, id), nullptr) << id << " is left out, as if the board had not reported it";
    EXPECT_EQ(find_control(r.controls, "quality")->value, 12);
    EXPECT_EQ(find_control(r.controls, "agc_gain")->value, 3);
    // A framesize the table lacks but an integer can hold is still offered, labelled with its number.
    const auto odd = read_status(R"({"framesize":99,"quality":12,"brightness":0})", framesize_numbering::current);
    EXPECT_EQ(find_control(odd.controls, "framesize")->options.back().label, "size 99");
    EXPECT_EQ(control_target("/", "brightness", 1e300), "/control?var=brightness&val=1e+300")
        << "never an integer it cannot be";
}

TEST(camera_web_server, control_requests_and_where_the_api_is) {
    EXPECT_EQ(control_target("/", "wb_mode", 3), "/control?var=wb_mode&val=3");
    EXPECT_EQ(control_target("/cam", "brightness", -2), "/cam/control?var=brightness&val=-2");
    EXPECT_EQ(api_target("/", "status"), "/status");
    EXPECT_EQ(api_target("/cam", "status"), "/cam/status");
    auto stream = parse_network_url("http://board.local:81/stream");
    ASSERT_TRUE(stream);
    const auto base = control_base_for(*stream);
    ASSERT_TRUE(base);
    EXPECT_EQ(base->redacted(), "http://board.local/");
    auto other = parse_network_url("http://board.local:81/stream#control=http://10.0.0.9:8080/");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->target, "/stream") << "the fragment is never sent to the camera";
    EXPECT_EQ(control_base_for(*other)->redacted(), "http://10.0.0.9:8080/");
    auto none = parse_network_url("http://board.local:81/stream#control=none");
    EXPECT_EQ(control_base_for(*none), std::nullopt);
    std::string error;
    auto bad = parse_network_url("http://board.local:81/stream#control=nonsense");
    EXPECT_EQ(control_base_for(*bad, &error), std::nullopt);
    EXPECT_FALSE(error.empty());
}

TEST(camera_web_server, fragment_options_combine_insecure_with_control) {
    auto both = parse_network_url("https://board.local/stream#insecure&control=http://10.0.0.9/?a=1&b=2");
    ASSERT_TRUE(both);
    EXPECT_TRUE(both->insecure());
    EXPECT_EQ(both->fragment_option("control"), "http://10.0.0.9/?a=1&b=2") << "a value keeps its '&'";
    auto after = parse_network_url("https://board.local/stream#control=none&insecure");
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->insecure());
    EXPECT_EQ(control_base_for(*after), std::nullopt);
    auto plain = parse_network_url("https://board.local/stream#control=http://10.0.0.9/");
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->insecure()) << "certificates are verified unless asked";
    EXPECT_FALSE(parse_network_url("https://board.local/stream#insecurely")->insecure());
}

}  // namespace
}  // namespace wscam::esp32
