#include "codec/mjpeg_splitter.hpp"

#include <gtest/gtest.h>

#include "jpeg_fixtures.hpp"

namespace wscam {
namespace {

using bytes = std::vector<std::uint8_t>;

struct collected {
    std::vector<bytes> frames;
    mjpeg_splitter splitter;
    explicit collected(std::size_t max = 1 << 20)
        : splitter(max, [this](std::span<const std::uint8_t> f) { frames.emplace_back(f.begin(), f.end()); }) {}
};

bytes concat(std::initializer_list<bytes> parts) {
    bytes out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

TEST(mjpeg_splitter, splits_concatenated_jpegs_exactly) {
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2), c = test::make_jpeg(32, 32, 3);
    collected out;
    out.splitter.feed(concat({a, b, c}));
    ASSERT_EQ(out.frames.size(), 3u);
    EXPECT_EQ(out.frames[0], a);
    EXPECT_EQ(out.frames[1], b);
    EXPECT_EQ(out.frames[2], c);
}

TEST(mjpeg_splitter, frames_split_across_reads_at_every_offset_come_out_whole) {
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2);
    const auto stream = concat({a, b});
    for (std::size_t cut = 1; cut < stream.size(); cut += 7) {
        collected out;
        out.splitter.feed({stream.data(), cut});
        out.splitter.feed({stream.data() + cut, stream.size() - cut});
        ASSERT_EQ(out.frames.size(), 2u) << "cut at " << cut;
        EXPECT_EQ(out.frames[0], a);
        EXPECT_EQ(out.frames[1], b);
    }
    collected byte_by_byte;
    for (auto x : stream) byte_by_byte.splitter.feed({&x, 1});
    EXPECT_EQ(byte_by_byte.frames.size(), 2u);
}

TEST(mjpeg_splitter, skips_garbage_between_frames) {
    const auto a = test::make_jpeg(), b = test::make_jpeg(64, 48, 9);
    const bytes junk{'-', '-', 'b', 'o', 'u', 'n', 'd', '\r', '\n', 0xFF, 0x00, 0xFF, 0xD9, 0x12};
    collected out;
    out.splitter.feed(concat({junk, a, junk, junk, b, junk}));
    ASSERT_EQ(out.frames.size(), 2u);
    EXPECT_EQ(out.frames[0], a);
    EXPECT_EQ(out.frames[1], b);
    EXPECT_GT(out.splitter.skipped_bytes(), 0u);
}

TEST(mjpeg_splitter, an_embedded_thumbnail_does_not_end_the_frame_early) {
    const auto framed = test::with_embedded_thumbnail(test::make_jpeg(64, 48, 4));
    collected out;
    out.splitter.feed(concat({framed, test::make_jpeg()}));
    ASSERT_EQ(out.frames.size(), 2u);
    EXPECT_EQ(out.frames[0], framed);
    jpeg_decoder decoder;
    auto header = decoder.read_header(out.frames[0]);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->width, 64);
}

TEST(mjpeg_splitter, a_frame_cut_short_by_a_new_one_is_dropped_and_the_new_one_kept) {
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2);
    collected out;
    out.splitter.feed(concat({bytes(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(a.size() / 2)), b}));
    ASSERT_EQ(out.frames.size(), 1u);
    EXPECT_EQ(out.frames[0], b);
}

TEST(mjpeg_splitter, oversized_frames_are_dropped_and_memory_stays_capped) {
    const auto big = test::make_jpeg(320, 240, 1, 95), small = test::make_jpeg(32, 32);
    collected out(big.size() / 2);
    out.splitter.feed(concat({big, small}));
    ASSERT_EQ(out.frames.size(), 1u);
    EXPECT_EQ(out.frames[0], small);
    EXPECT_EQ(out.splitter.oversized(), 1u);
}

}  // namespace
}  // namespace wscam
