#include "codec/h264_bitstream.hpp"
#include "codec/h264_encoder.hpp"
#include "codec/jpeg_codec.hpp"
#include "codec/jpeg_to_yuv.hpp"
#include "codec/test_card.hpp"
#include "core/frame.hpp"

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include <cstdlib>

namespace wscam {
namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> list) {
    std::vector<std::uint8_t> v;
    for (int b : list) v.push_back(static_cast<std::uint8_t>(b));
    return v;
}

TEST(h264_bitstream, reads_an_idr_access_unit_with_its_parameter_sets) {
    // SPS (baseline, constraint flags C0, level 3.0), PPS, IDR slice; 4- and 3-byte start codes.
    const auto au = bytes({0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1E, 0xAB, 0, 0, 0, 1, 0x68, 0xCE, 0x38, 0x80,
                           0, 0, 1, 0x65, 0x88, 0x84, 0x00});
    std::string why;
    const auto info = inspect_access_unit(au, &why);
    ASSERT_TRUE(info) << why;
    EXPECT_EQ(info->nal_units, 3);
    EXPECT_TRUE(info->joinable());
    EXPECT_EQ(avc_codec_string(info->profile_idc, info->constraint_flags, info->level_idc), "avc1.42C01E");
}

TEST(h264_bitstream, a_delta_unit_is_not_joinable) {
    const auto info = inspect_access_unit(bytes({0, 0, 0, 1, 0x41, 0x9A, 0x02}));
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->slices);
    EXPECT_FALSE(info->idr);
    EXPECT_FALSE(info->joinable());
    // An IDR without its parameter sets cannot start a decoder either.
    const auto bare = inspect_access_unit(bytes({0, 0, 1, 0x65, 0x88}));
    ASSERT_TRUE(bare);
    EXPECT_FALSE(bare->joinable());
}

TEST(h264_bitstream, refuses_what_no_decoder_could_take_and_says_why) {
    const auto why = [](std::vector<std::uint8_t> b) {
        std::string w;
        EXPECT_FALSE(inspect_access_unit(b, &w));
        return w;
    };
    EXPECT_EQ(why({}), "no Annex B start code at the front");
    EXPECT_EQ(why(bytes({0x65, 0x88})), "no Annex B start code at the front");
    EXPECT_EQ(why(bytes({0, 0, 1})), "empty NAL unit 1");
    EXPECT_EQ(why(bytes({0, 0, 1, 0x65, 0, 0, 1, 0, 0, 1, 0x41})), "empty NAL unit 2");
    EXPECT_EQ(why(bytes({0, 0, 1, 0xE5, 0x88})), "NAL unit 1 has forbidden_zero_bit set");
    EXPECT_EQ(why(bytes({0, 0, 1, 0x67, 0x42})), "SPS of 2 bytes is too short");
    EXPECT_EQ(why(bytes({0, 0, 1, 0x68, 0xCE})), "no coded slice in the access unit");
}

TEST(h264_bitstream, levels_follow_table_a1) {
    EXPECT_EQ(h264_level_for(176, 144, 15), 10);
    EXPECT_EQ(h264_level_for(320, 240, 30), 13);
    EXPECT_EQ(h264_level_for(640, 480, 30), 30);
    EXPECT_EQ(h264_level_for(1280, 720, 30), 31);
    EXPECT_EQ(h264_level_for(1280, 720, 60), 32);
    EXPECT_EQ(h264_level_for(1920, 1080, 30), 40);
    EXPECT_EQ(h264_level_for(1920, 1080, 60), 42);
    EXPECT_EQ(h264_level_for(3840, 2160, 30), 51);
    EXPECT_EQ(h264_level_for(720, 576, 25), 30) << "PAL: exactly level 3.0's 1,620 macroblocks";
    EXPECT_EQ(h264_level_for(720, 578, 25), 31) << "a partial row of macroblocks counts as a whole one";
    EXPECT_EQ(h264_level_for(8192, 8192, 60), 52) << "beyond every level";
}

// A flat colour as a JPEG in the given subsampling.
std::vector<std::uint8_t> flat_jpeg(int w, int h, int sampling, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);
    for (std::size_t i = 0; i < rgb.size(); i += 3) rgb[i] = r, rgb[i + 1] = g, rgb[i + 2] = b;
    tjhandle tj = tjInitCompress();
    unsigned char* out = nullptr;
    unsigned long size = 0;
    EXPECT_EQ(tjCompress2(tj, rgb.data(), w, 0, h, TJPF_RGB, &out, &size, sampling,
                          95, 0),
              0);
    std::vector<std::uint8_t> jpeg(out, out + size);
    tjFree(out);
    tjDestroy(tj);
    return jpeg;
}

class jpeg_to_yuv_sampling : public ::testing::TestWithParam<int> {};

TEST_P(jpeg_to_yuv_sampling, gives_i420_of_the_same_colour_cut_to_an_even_size) {
    const int sampling = GetParam();
    // Odd sides: the last column and row are left out. Orange: Y ~ 151, U ~ 43, V ~ 202 (JFIF: BT.601 full range).
    const auto jpeg = flat_jpeg(65, 49, sampling, 255, 128, 0);
    jpeg_to_yuv decoder;
    yuv420_image img;
    std::string why;
    ASSERT_TRUE(decoder.decode(jpeg, img, &why)) << why;
    EXPECT_EQ(img.width, 64);
    EXPECT_EQ(img.height, 48);
    ASSERT_GE(img.stride_y, 64);
    ASSERT_GE(img.stride_uv, 32);
    const auto near = [](int got, int want) { return std::abs(got - want) <= 3; };
    for (int y = 0; y < 48; y += 7)
        for (int x = 0; x < 64; x += 9) EXPECT_TRUE(near(img.y[y * img.stride_y + x], 151)) << x << "," << y;
    const int want_u = sampling == TJSAMP_GRAY ? 128 : 43, want_v = sampling == TJSAMP_GRAY ? 128 : 202;
    for (int y = 0; y < 24; y += 5)
        for (int x = 0; x < 32; x += 5) {
            EXPECT_TRUE(near(img.u[y * img.stride_uv + x], want_u)) << "U " << int(img.u[y * img.stride_uv + x]);
            EXPECT_TRUE(near(img.v[y * img.stride_uv + x], want_v)) << "V " << int(img.v[y * img.stride_uv + x]);
        }
}

INSTANTIATE_TEST_SUITE_P(every_subsampling, jpeg_to_yuv_sampling,
                         ::testing::Values(TJSAMP_420, TJSAMP_422, TJSAMP_444, TJSAMP_440, TJSAMP_411, TJSAMP_GRAY));

TEST_P(jpeg_to_yuv_sampling, decodes_a_wide_picture_at_half_or_less_to_fit_a_width) {
    const int sampling = GetParam();
    const auto jpeg = flat_jpeg(1280, 720, sampling, 255, 128, 0);
    jpeg_to_yuv decoder;
    yuv420_image img;
    std::string why;
    struct want { int max_width, width, height; };
    for (const auto& w : {want{0, 1280, 720}, want{1280, 1280, 720}, want{960, 640, 360}, want{640, 640, 360},
                          want{639, 320, 180}, want{100, 160, 90}}) {
        ASSERT_TRUE(decoder.decode(jpeg, img, &why, w.max_width)) << why;
        EXPECT_EQ(img.width, w.width) << "max_width " << w.max_width << " (1/8 at most)";
        EXPECT_EQ(img.height, w.height) << "max_width " << w.max_width;
        ASSERT_GE(img.y.size(), static_cast<std::size_t>(img.stride_y) * img.height);
        EXPECT_NEAR(img.y[(img.height / 2) * img.stride_y + img.width / 2], 151, 3) << "the same colour at any size";
        const int want_v = sampling == TJSAMP_GRAY ? 128 : 202;
        EXPECT_NEAR(img.v[(img.height / 4) * img.stride_uv + img.width / 4], want_v, 3);
    }
}

TEST(h264_settings, the_slow_link_rendition_is_at_most_960_wide_and_capped) {
    h264_settings full;
    full.bitrate_kbps = 2000;
    const auto reduced = full.for_slow_links();
    EXPECT_EQ(reduced.max_kbps, 600);
    EXPECT_EQ(reduced.bitrate_kbps, 600) << "an average above the cap is lowered to it";
    EXPECT_EQ(reduced.max_width, 960);
    full.max_width = 480;
    EXPECT_EQ(full.for_slow_links().max_width, 480) << "never wider than the full one";
}

TEST(jpeg_to_yuv, a_picture_over_the_pixel_cap_is_decoded_at_the_largest_scale_that_fits_or_refused) {
    const auto jpeg = flat_jpeg(1280, 720, TJSAMP_420, 255, 128, 0);
    jpeg_to_yuv decoder;
    yuv420_image img;
    std::string why;
    struct want { std::int64_t max_pixels; int width, height; };
    for (const auto& w : {want{1280 * 720, 1280, 720}, want{1280 * 720 - 1, 640, 360}, want{640 * 360, 640, 360},
                          want{320 * 180, 320, 180}, want{160 * 90, 160, 90}}) {
        ASSERT_TRUE(decoder.decode(jpeg, img, &why, 0, w.max_pixels)) << why;
        EXPECT_EQ(img.width, w.width) << "max_pixels " << w.max_pixels;
        EXPECT_EQ(img.height, w.height) << "max_pixels " << w.max_pixels;
    }
    EXPECT_FALSE(decoder.decode(jpeg, img, &why, 0, 160 * 90 - 1));
    EXPECT_EQ(why, "picture too large to decode even at 1/8 of its size");
}

TEST(h264_settings, the_full_rendition_encodes_at_most_3840x2160_pixels_by_default) {
    const h264_settings full;
    EXPECT_EQ(full.encoded_size(3840, 2160), (std::pair{3840, 2160}));
    EXPECT_EQ(full.encoded_size(6320, 6320), (std::pair{1580, 1580})) << "40 MP: a quarter (half is 9.98 MP)";
    EXPECT_EQ(full.encoded_size(4000, 2250), (std::pair{2000, 1124})) << "half, cut to an even size";
    EXPECT_EQ(full.for_slow_links().max_pixels, full.max_pixels);
    EXPECT_EQ(full.for_slow_links().encoded_size(1280, 720), (std::pair{640, 360}));
}

TEST(jpeg_to_yuv, refuses_a_broken_jpeg_with_turbojpegs_reason) {
    jpeg_to_yuv decoder;
    yuv420_image img;
    std::string why;
    const std::vector<std::uint8_t> junk = {0xFF, 0xD8, 0x00, 0x01, 0xFF, 0xD9};
    EXPECT_FALSE(decoder.decode(junk, img, &why));
    EXPECT_FALSE(why.empty());
}

// Test-pattern pictures, as I420.
std::vector<yuv420_image> pattern_pictures(int w, int h, int count) {
    test_card pattern(w, h, 10);
    jpeg_encoder encoder;
    jpeg_to_yuv decoder;
    std::vector<yuv420_image> out(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        pattern.render(static_cast<std::uint64_t>(i), 1'700'000'000'000'000 + i * 33'333);
        std::vector<std::uint8_t> jpeg;
        const auto size = encoder.encode_rgb(pattern.rgb(), w, h, 80, jpeg, 0);
        EXPECT_TRUE(decoder.decode({jpeg.data(), size}, out[static_cast<std::size_t>(i)]));
    }
    return out;
}

TEST(h264_encoder, one_access_unit_per_picture_an_idr_first_and_when_forced) {
    const auto pictures = pattern_pictures(320, 240, 12);
    h264_encoder encoder(320, 240, 30, h264_settings{});
    EXPECT_EQ(encoder.codec_string(), "avc1.42C00D") << "constrained baseline, level 1.3 for 320x240@30";
    std::size_t key_bytes = 0, delta_bytes = 0;
    for (int i = 0; i < 12; ++i) {
        const auto au = encoder.encode(pictures[static_cast<std::size_t>(i)], i == 8);
        ASSERT_GT(au.size, 0u) << "zerolatency: a unit for every picture, at once";
        ASSERT_EQ(au.storage.size(), frame::header_size + au.size);
        std::string why;
        const auto info = inspect_access_unit({au.storage.data() + frame::header_size, au.size}, &why);
        ASSERT_TRUE(info) << why;
        const bool want_key = i == 0 || i == 8;
        EXPECT_EQ(au.keyframe, want_key) << i;
        EXPECT_EQ(info->joinable(), want_key) << "SPS and PPS in band before each IDR, " << i;
        EXPECT_EQ(info->idr, want_key) << i;
        if (want_key) {
            EXPECT_EQ(avc_codec_string(info->profile_idc, info->constraint_flags, info->level_idc), encoder.codec_string());
            key_bytes += au.size;
        } else {
            delta_bytes += au.size;
        }
    }
    EXPECT_LT(delta_bytes / 10, key_bytes / 2) << "a delta unit is much smaller than a keyframe";
}

TEST(h264_encoder, the_keyframe_interval_is_kept_unasked) {
    const auto pictures = pattern_pictures(160, 120, 25);
    h264_settings s;
    s.keyint_s = 0.5;  // at 20 fps: every 10 pictures
    h264_encoder encoder(160, 120, 20, s);
    std::vector<int> keys;
    for (int i = 0; i < 25; ++i)
        if (encoder.encode(pictures[static_cast<std::size_t>(i)], false).keyframe) keys.push_back(i);
    EXPECT_EQ(keys, (std::vector<int>{0, 10, 20}));
}

TEST(h264_encoder, what_hello_announces_is_what_the_sps_says) {
    struct size { int w, h; double fps; };
    for (const auto& sz : {size{160, 120, 10}, size{320, 240, 30}, size{640, 480, 30}, size{1280, 720, 30},
                           size{1920, 1080, 30}, size{1920, 1080, 60}}) {
        h264_encoder encoder(sz.w, sz.h, sz.fps, h264_settings{});
        EXPECT_EQ(h264_codec_string_for(sz.w, sz.h, sz.fps), encoder.codec_string()) << sz.w << "x" << sz.h << "@" << sz.fps;
    }
}

TEST(h264_encoder, the_slow_link_rendition_keeps_under_its_cap) {
    const auto pictures = pattern_pictures(640, 480, 60);  // two seconds at 30 fps, with noise
    h264_settings full;
    const auto reduced = full.for_slow_links();
    EXPECT_EQ(reduced.max_kbps, 600);
    EXPECT_EQ(reduced.crf, full.crf);
    std::size_t full_bytes = 0, reduced_bytes = 0, reduced_first_second = 0;
    h264_encoder a(640, 480, 30, full), b(640, 480, 30, reduced);
    for (std::size_t i = 0; i < pictures.size(); ++i) {
        full_bytes += a.encode(pictures[i], false).size;
        const auto n = b.encode(pictures[i], false).size;
        reduced_bytes += n;
        if (i < 30) reduced_first_second += n;
    }
    // VBV: at most the cap per second plus its one-second buffer, whatever the picture asks.
    EXPECT_LE(reduced_first_second * 8, 2 * 600 * 1000u);
    EXPECT_LE(reduced_bytes * 8, 3 * 600 * 1000u);
    EXPECT_LT(reduced_bytes * 2, full_bytes) << "the pattern at CRF 26 needs more than the cap, else this proves nothing";
}

TEST(h264_encoder, refuses_an_odd_size_or_an_unknown_preset) {
    EXPECT_THROW(h264_encoder(321, 240, 30, h264_settings{}), std::runtime_error);
    h264_settings s;
    s.preset = "warp9";
    EXPECT_THROW(h264_encoder(320, 240, 30, s), std::runtime_error);
    h264_encoder ok(320, 240, 30, h264_settings{});
    yuv420_image wrong;
    wrong.width = 160;
    wrong.height = 120;
    EXPECT_THROW(ok.encode(wrong, false), std::invalid_argument);
}

}  // namespace
}  // namespace wscam
