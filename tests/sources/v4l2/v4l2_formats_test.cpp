// Which format and size a camera is asked for, from what it offers (no device needed).
#include "sources/v4l2/v4l2_formats.hpp"

#include <gtest/gtest.h>

#include "../source_errors.hpp"
#include "core/stream.hpp"
#include "sources/v4l2/v4l2_options.hpp"

namespace wscam {
namespace {

v4l2_format_info offered(const char* name, std::vector<std::pair<std::uint32_t, std::uint32_t>> sizes = {}) {
    v4l2_format_info f;
    f.fourcc = fourcc_from_name(name);
    f.name = fourcc_name(f.fourcc);
    for (auto [w, h] : sizes) f.sizes.push_back({w, h, {}});
    return f;
}

v4l2_device_info camera(std::vector<v4l2_format_info> formats) {
    v4l2_device_info info;
    info.path = "/dev/video9";
    info.formats = std::move(formats);
    return info;
}

std::string error_of(const v4l2_device_info& info, const std::string& wanted) {
    try {
        choose_format(info, wanted);
    } catch (const v4l2_error& e) {
        return e.what();
    }
    return "chosen";
}

TEST(v4l2_formats, mjpeg_is_preferred_then_the_raw_formats_in_order) {
    EXPECT_EQ(choose_format(camera({offered("yuyv"), offered("mjpeg")}), ""), fourcc_from_name("mjpeg"));
    EXPECT_EQ(choose_format(camera({offered("grey"), offered("nv12"), offered("yuyv")}), ""), fourcc_from_name("yuyv"));
    EXPECT_EQ(choose_format(camera({offered("grey"), offered("nv12")}), ""), fourcc_from_name("nv12"));
    EXPECT_EQ(choose_format(camera({offered("yuyv"), offered("mjpeg")}), "yuyv"), fourcc_from_name("yuyv")) << "asked for";
}

TEST(v4l2_formats, a_format_the_camera_lacks_is_refused_with_its_path) {
    EXPECT_EQ(error_of(camera({offered("mjpeg")}), "nv12"), "/dev/video9 does not offer nv12");
    EXPECT_EQ(error_of(camera({}), ""), "/dev/video9 offers no format wscam can stream");
    constexpr std::uint32_t h264 = 'H' | ('2' << 8) | ('6' << 16) | (std::uint32_t('4') << 24);
    EXPECT_FALSE(supported_format(h264));
    EXPECT_TRUE(supported_format(fourcc_from_name("bgr24")));
}

TEST(v4l2_formats, the_size_is_the_one_asked_for_else_the_offered_one_nearest_720p) {
    const auto info = camera({offered("mjpeg", {{640, 480}, {1280, 720}, {1920, 1080}}), offered("yuyv", {{640, 480}, {1024, 768}, {1920, 1080}})});
    EXPECT_EQ(choose_size(info, fourcc_from_name("mjpeg"), std::nullopt), (frame_size{1280, 720}));
    EXPECT_EQ(choose_size(info, fourcc_from_name("yuyv"), std::nullopt), (frame_size{1024, 768})) << "nearest in pixels";
    EXPECT_EQ(choose_size(info, fourcc_from_name("yuyv"), frame_size{320, 240}), (frame_size{320, 240}));
    EXPECT_EQ(choose_size(camera({offered("mjpeg")}), fourcc_from_name("mjpeg"), std::nullopt), (frame_size{1280, 720}))
        << "no sizes listed: ask for 720p and let the driver pick";
}

TEST(v4l2_options, uri_parameters_over_defaults_and_refusals_that_name_the_parameter) {
    v4l2_options defaults;
    defaults.fps = 15;
    auto o = v4l2_options_from(*source_uri::parse("v4l2:/dev/video2?size=VGA&format=yuyv&ctrl.brightness=20"), defaults);
    EXPECT_EQ(o.path, "/dev/video2");
    EXPECT_EQ(o.size, (frame_size{640, 480}));
    EXPECT_EQ(o.format, "yuyv");
    EXPECT_EQ(o.fps, 15);
    EXPECT_EQ(o.initial_controls.at("brightness"), 20);
    auto hub = std::make_shared<stream>("cam");
    auto error_of = [&](const std::string& uri) { return testing::source_error(uri, hub); };
    EXPECT_NE(error_of("v4l2:?format=h264").find("format=h264 is not one of"), std::string::npos);
    EXPECT_NE(error_of("v4l2:?buffers=1").find("buffers"), std::string::npos);
    EXPECT_NE(error_of("v4l2:?zoom=2").find("unknown parameter 'zoom'"), std::string::npos);
}

}  // namespace
}  // namespace wscam
