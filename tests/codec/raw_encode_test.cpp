#include "codec/raw_encode.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace wscam {
namespace {

// Encodes a flat mid-grey frame in each layout and checks what decodes.
class raw_formats : public ::testing::TestWithParam<raw_format> {};

std::vector<std::uint8_t> flat_frame(raw_format f, int w, int h, std::uint8_t y, std::uint8_t c) {
    switch (f) {
    case raw_format::yuyv:
    case raw_format::uyvy: {
        std::vector<std::uint8_t> v(static_cast<std::size_t>(w) * h * 2);
        for (std::size_t i = 0; i < v.size(); i += 2) {
            v[i + (f == raw_format::yuyv ? 0 : 1)] = y;
            v[i + (f == raw_format::yuyv ? 1 : 0)] = c;
        }
        return v;
    }
    case raw_format::nv12:
    case raw_format::yu12:
    case raw_format::yv12: {
        std::vector<std::uint8_t> v(static_cast<std::size_t>(w) * h * 3 / 2, c);
        std::fill(v.begin(), v.begin() + w * h, y);
        return v;
    }
    case raw_format::grey:
        return std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h, y);
    default:
        return std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 3, y);
    }
}

TEST_P(raw_formats, a_flat_frame_decodes_to_the_same_grey_at_the_same_size) {
    const int w = 64, h = 48;
    const auto raw = flat_frame(GetParam(), w, h, 150, 128);
    jpeg_encoder encoder;
    std::vector<std::uint8_t> scratch, out;
    const auto size = encode_raw_frame(encoder, GetParam(), raw.data(), w, h, 0, 90, scratch, out, 32);
    ASSERT_EQ(out.size(), 32 + size);
    jpeg_decoder decoder;
    std::vector<std::uint8_t> rgb;
    int dw = 0, dh = 0;
    ASSERT_TRUE(decoder.decode_rgb({out.data() + 32, size}, rgb, dw, dh));
    EXPECT_EQ(dw, w);
    EXPECT_EQ(dh, h);
    for (std::size_t i = 0; i < rgb.size(); i += 97) EXPECT_NEAR(rgb[i], 150, 3) << "pixel byte " << i;
}

INSTANTIATE_TEST_SUITE_P(all, raw_formats,
                         ::testing::Values(raw_format::yuyv, raw_format::uyvy, raw_format::nv12, raw_format::yu12,
                                           raw_format::yv12, raw_format::grey, raw_format::rgb24, raw_format::bgr24));

}  // namespace
}  // namespace wscam
