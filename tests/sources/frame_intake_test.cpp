#include "sources/frame_intake.hpp"

#include <gtest/gtest.h>

#include <turbojpeg.h>

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

TEST(frame_intake, a_jpeg_of_too_many_scans_is_refused_before_anything_decodes_it) {
    auto hub = std::make_shared<stream>("cam");
    frame_intake intake(hub, 1 << 20);
    const auto jpeg = test::make_jpeg(64, 48);
    EXPECT_EQ(jpeg_scan_count(jpeg, max_jpeg_scans), 1) << "a baseline picture: one scan";
    // Its scan 70 times over (a progressive picture of empty scans costs a pass each to decode).
    std::size_t sos = 2;
    while (!(jpeg[sos] == 0xFF && jpeg[sos + 1] == 0xDA)) sos += 2 + ((jpeg[sos + 2] << 8) | jpeg[sos + 3]);
    std::vector<std::uint8_t> many(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(sos));
    for (int i = 0; i < 70; ++i) many.insert(many.end(), jpeg.begin() + static_cast<std::ptrdiff_t>(sos), jpeg.end() - 2);
    many.insert(many.end(), {0xFF, 0xD9});
    EXPECT_EQ(jpeg_scan_count(many, max_jpeg_scans), max_jpeg_scans + 1) << "counting stops past the cap";
    EXPECT_EQ(jpeg_scan_count(many, 1000), 70);
    EXPECT_FALSE(intake.offer(many));
    EXPECT_EQ(intake.reason(), "a JPEG of more than 64 scans (progressive pictures have about ten; each costs a decoder a pass over the whole picture)");
    EXPECT_FALSE(hub->latest());
    EXPECT_TRUE(intake.offer(jpeg));
    // A progressive picture as encoders make it passes.
    std::vector<unsigned char> rgb(64 * 48 * 3, 128);
    tjhandle tj = tjInitCompress();
    unsigned char* out = nullptr;
    unsigned long size = 0;
    ASSERT_EQ(tjCompress2(tj, rgb.data(), 64, 0, 48, TJPF_RGB, &out, &size, TJSAMP_420, 80, TJFLAG_PROGRESSIVE), 0);
    const std::vector<std::uint8_t> progressive(out, out + size);
    tjFree(out);
    tjDestroy(tj);
    const int scans = jpeg_scan_count(progressive, max_jpeg_scans);
    EXPECT_GT(scans, 1);
    EXPECT_LE(scans, 16);
    EXPECT_TRUE(intake.offer(progressive));
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
