// libFuzzer target: what a camera's bytes reach on the way to an H.264 viewer, end to end.
// First byte even: the bytes are a JPEG from a camera (after frame_intake's marker check), decoded
// to I420 and encoded with x264; the access unit must come out whole (Annex B, a slice, an IDR
// with SPS and PPS for the first picture); with bit 1 set, decoded scaled as for the reduced
// rendition (here to at most 16 wide); the unit is then packaged for MSE viewers as fmp4_rendition
// does (an fmp4_muxer per picture size, made at its keyframe): one moof+mdat at the capture time.
// Odd: the bytes are an access unit handed in by a camera that speaks H.264, read by
// inspect_access_unit (whatever it accepts must hold a slice) and find_nal_unit (which must agree).
#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <vector>
#include <map>
#include <memory>

#include "codec/h264_bitstream.hpp"
#include "codec/h264_encoder.hpp"
#include "codec/jpeg_codec.hpp"
#include "codec/jpeg_to_yuv.hpp"
#include "core/frame.hpp"
#include "mse/fmp4_muxer.hpp"

namespace {

std::uint64_t be(const std::vector<std::uint8_t>& b, std::size_t at, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | b[at + i];
    return v;
}

// A media segment of one unit at `time`: moof (mfhd, traf (tfhd, tfdt = time, trun)) then mdat, nothing else.
void check_segment(const std::vector<std::uint8_t>& seg, std::int64_t time) {
    if (seg.size() < 16 || std::string_view(reinterpret_cast<const char*>(&seg[4]), 4) != "moof") std::abort();
    const auto moof = be(seg, 0, 4);
    if (moof + 8 > seg.size() || std::string_view(reinterpret_cast<const char*>(&seg[moof + 4]), 4) != "mdat" ||
        moof + be(seg, moof, 4) != seg.size())
        std::abort();
    constexpr std::string_view tfdt = "tfdt";
    const auto at = std::search(seg.begin(), seg.begin() + static_cast<std::ptrdiff_t>(moof), tfdt.begin(), tfdt.end()) - seg.begin();
    if (static_cast<std::size_t>(at) + 16 > moof || be(seg, static_cast<std::size_t>(at) + 8, 8) != static_cast<std::uint64_t>(time)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::span<const std::uint8_t> rest(data + 1, size - 1);
    if (data[0] & 1) {
        const auto info = wscam::inspect_access_unit(rest);
        if (info && (!info->slices || info->nal_units < 1)) std::abort();
        if (info && info->sps != !wscam::find_nal_unit(rest, 7).empty()) std::abort();
        if (info && info->sps)
            (void)wscam::avc_codec_string(info->profile_idc, info->constraint_flags, info->level_idc);
        return 0;
    }
    if (!wscam::has_jpeg_markers(rest)) return 0;
    static wscam::jpeg_decoder header_reader;
    const auto header = header_reader.read_header(rest);
    // The pixel cap keeps each run fast (wscam's own cap is --max-frame-pixels).
    if (!header || std::int64_t{header->width} * header->height > 128 * 128) return 0;
    static wscam::jpeg_to_yuv decoder;
    static wscam::yuv420_image picture;
    const int max_width = (data[0] & 2) ? 16 : 0;
    const std::int64_t max_pixels = (data[0] & 4) ? 256 : 0;  // as --h264-max-pixels caps the full rendition
    if (!decoder.decode(rest, picture, nullptr, max_width, max_pixels)) return 0;
    if (picture.width < 2 || picture.height < 2 || picture.width % 2 || picture.height % 2) std::abort();
    if (picture.width > header->width || picture.height > header->height) std::abort();
    if (max_width && header->width <= 8 * max_width && picture.width > max_width) std::abort();
    if (max_pixels && std::int64_t{picture.width} * picture.height > max_pixels) std::abort();
    static std::map<std::pair<int, int>, std::unique_ptr<wscam::h264_encoder>> encoders;
    auto& encoder = encoders[{picture.width, picture.height}];
    const bool first = !encoder;
    if (!encoder) {
        wscam::h264_settings s;
        s.preset = "ultrafast";
        s.threads = 1;
        encoder = std::make_unique<wscam::h264_encoder>(picture.width, picture.height, 30, s);
    }
    const auto au = encoder->encode(picture, false);
    if (au.size == 0 || au.storage.size() != wscam::frame::header_size + au.size) std::abort();
    const auto info = wscam::inspect_access_unit({au.storage.data() + wscam::frame::header_size, au.size});
    if (!info || (first && !info->joinable()) || au.keyframe != info->idr) std::abort();

    static std::map<std::pair<int, int>, std::unique_ptr<wscam::mse::fmp4_muxer>> muxers;
    static std::int64_t time = 1'765'000'000'000'000;
    time += 33'333;
    const std::span<const std::uint8_t> unit(au.storage.data() + wscam::frame::header_size, au.size);
    auto& muxer = muxers[{picture.width, picture.height}];
    if (first) muxer = std::make_unique<wscam::mse::fmp4_muxer>(unit, picture.width, picture.height);
    if (!muxer) return 0;
    std::vector<std::uint8_t> segment;
    muxer->add(unit, time, au.keyframe, segment);
    check_segment(segment, time);
    return 0;
}
