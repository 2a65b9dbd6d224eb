#include "sources/frame_intake.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "../codec/jpeg_fixtures.hpp"
#include "core/stream.hpp"

namespace wscam {
namespace {

TEST(frame_intake, publishes_valid_jpegs_with_their_size) {
    auto hub = std::make_shared<stream>("cam");
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
    auto hub = std::make_shared<stream>("cam");
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

}  // namespace
}  // namespace wscam
