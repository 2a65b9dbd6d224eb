#include "codec/jpeg_dht.hpp"

#include <gtest/gtest.h>

#include "jpeg_fixtures.hpp"

namespace wscam {
namespace {

// Removes every DHT segment, as many webcams' MJPEG frames arrive.
std::vector<std::uint8_t> strip_dht(const std::vector<std::uint8_t>& j) {
    std::vector<std::uint8_t> out{j[0], j[1]};
    std::size_t i = 2;
    while (i + 4 <= j.size() && j[i] == 0xFF && j[i + 1] != 0xDA) {
        const std::size_t len = (std::size_t(j[i + 2]) << 8) | j[i + 3];
        if (j[i + 1] != 0xC4) out.insert(out.end(), j.begin() + static_cast<std::ptrdiff_t>(i), j.begin() + static_cast<std::ptrdiff_t>(i + 2 + len));
        i += 2 + len;
    }
    out.insert(out.end(), j.begin() + static_cast<std::ptrdiff_t>(i), j.end());
    return out;
}

TEST(jpeg_dht, a_webcam_frame_without_tables_decodes_to_the_same_pixels_once_they_are_inserted) {
    const auto original = test::make_jpeg(320, 240, 3, 85);  // TurboJPEG uses the standard tables
    const auto stripped = strip_dht(original);
    ASSERT_TRUE(has_huffman_tables(original));
    ASSERT_FALSE(has_huffman_tables(stripped));
    ASSERT_LT(stripped.size(), original.size());

    jpeg_decoder decoder;
    std::vector<std::uint8_t> want, got;
    int w = 0, h = 0;
    ASSERT_TRUE(decoder.decode_rgb(original, want, w, h));
    // (libjpeg-turbo itself would cope without the tables; browsers do not, hence the insertion.)

    const auto fixed = with_standard_huffman_tables(stripped);
    EXPECT_TRUE(has_huffman_tables(fixed));
    std::string error;
    ASSERT_TRUE(decoder.decode_rgb(fixed, got, w, h, &error)) << error;
    EXPECT_EQ(w, 320);
    EXPECT_EQ(h, 240);
    EXPECT_EQ(got, want) << "the inserted tables are the ones the encoder used";
}

TEST(jpeg_dht, frames_with_tables_and_non_jpegs_are_left_alone) {
    const auto original = test::make_jpeg();
    EXPECT_EQ(with_standard_huffman_tables(original), original);
    const std::vector<std::uint8_t> junk{1, 2, 3, 4, 5};
    EXPECT_EQ(with_standard_huffman_tables(junk), junk);
    const std::vector<std::uint8_t> truncated{0xFF, 0xD8, 0xFF, 0xE0, 0x00};
    EXPECT_EQ(with_standard_huffman_tables(truncated), truncated);
}

}  // namespace
}  // namespace wscam
