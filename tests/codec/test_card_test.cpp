#include "codec/test_card.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "codec/jpeg_codec.hpp"
#include "core/frame.hpp"
#include "core/stream.hpp"

namespace wscam {
namespace {

struct size_case {
    int width, height;
};

TEST(jpeg_encoder, a_published_frame_holds_its_jpeg_not_the_encoders_worst_case_buffer) {
    // A viewer that stops reading pins its frame: at 640x480 the worst case (tjBufSize) is
    // ~0.9 MB, the JPEG ~30 KB (issue 14, item 5).
    test_card pattern(640, 480);
    jpeg_encoder encoder;
    auto hub = std::make_shared<stream>("t");
    for (int i = 0; i < 3; ++i) {  // the scratch buffer is reused, the frames are not
        pattern.render(i, 1700000000123456);
        auto storage = frame::make_storage(0);
        const auto size = encoder.encode_rgb(pattern.rgb(), 640, 480, 80, storage, frame::header_size);
        EXPECT_EQ(storage.size(), frame::header_size + size);
        EXPECT_EQ(storage.capacity(), storage.size());
        EXPECT_LT(size, 200u * 1024);
        hub->publish(std::move(storage), size, {640, 480, 0});
    }
}

TEST(frame, never_keeps_much_more_capacity_than_its_bytes) {
    auto storage = frame::make_storage(1 << 20);  // say, someone's worst-case buffer
    const frame f(std::move(storage), 1000, {1, 1, 0}, 1, 0);
    EXPECT_EQ(f.framed().size(), frame::header_size + 1000);
    // jpeg() and framed() are views; what the frame holds is what a stalled viewer pins.
    EXPECT_LT(f.memory_bytes(), 8u * 1024);
}

class test_card_sizes : public ::testing::TestWithParam<size_case> {};

TEST_P(test_card_sizes, frames_decode_with_turbojpeg_at_the_requested_size) {
    const auto [w, h] = GetParam();
    test_card pattern(w, h);
    jpeg_encoder encoder;
    jpeg_decoder decoder;
    pattern.render(1, 1700000000123456);
    std::vector<std::uint8_t> out;
    const auto size = encoder.encode_rgb(pattern.rgb(), w, h, 80, out, frame::header_size);
    ASSERT_EQ(out.size(), frame::header_size + size);
    std::span<const std::uint8_t> jpeg(out.data() + frame::header_size, size);
    EXPECT_TRUE(has_jpeg_markers(jpeg));
    std::vector<std::uint8_t> rgb;
    int dw = 0, dh = 0;
    std::string error;
    ASSERT_TRUE(decoder.decode_rgb(jpeg, rgb, dw, dh, &error)) << error;
    EXPECT_EQ(dw, w);
    EXPECT_EQ(dh, h);
}

INSTANTIATE_TEST_SUITE_P(sizes, test_card_sizes,
                         ::testing::Values(size_case{320, 240}, size_case{640, 480}, size_case{1280, 720},
                                           size_case{1920, 1080}, size_case{401, 299}),
                         [](const auto& info) {
                             return std::to_string(info.param.width) + "x" + std::to_string(info.param.height);
                         });

TEST(test_card, consecutive_frames_differ_so_motion_is_visible) {
    test_card pattern(320, 240);
    pattern.render(1, 1000000);
    std::vector<std::uint8_t> first(pattern.rgb(), pattern.rgb() + 320 * 240 * 3);
    pattern.render(2, 1033333);
    EXPECT_NE(0, std::memcmp(first.data(), pattern.rgb(), first.size()));
}

TEST(test_card, noise_makes_frames_larger) {
    jpeg_encoder encoder;
    auto encoded_size = [&](int noise) {
        test_card pattern(640, 480, noise);
        pattern.render(1, 0);
        std::vector<std::uint8_t> out;
        return encoder.encode_rgb(pattern.rgb(), 640, 480, 80, out, 0);
    };
    EXPECT_GT(encoded_size(40), 2 * encoded_size(0));
}

}  // namespace
}  // namespace wscam
