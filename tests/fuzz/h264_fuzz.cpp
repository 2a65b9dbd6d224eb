// libFuzzer target: what a camera's bytes reach on the way to an H.264 viewer, end to end.
// First byte even: the bytes are a JPEG from a camera (after frame_intake's marker check), decoded
// to I420 and encoded with x264; the access unit must come out whole (Annex B, a slice, an IDR
// with SPS and PPS for the first picture); with bit 1 set, decoded scaled as for the reduced
// rendition (here to at most 16 wide). Odd: the bytes are an access unit handed in by a
// camera that speaks H.264, read by inspect_access_unit; whatever it accepts must hold a slice.
#include <cstdlib>
#include <map>
#include <memory>

#include "codec/h264_bitstream.hpp"
#include "codec/h264_encoder.hpp"
#include "codec/jpeg_codec.hpp"
#include "codec/jpeg_to_yuv.hpp"
#include "core/frame.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::span<const std::uint8_t> rest(data + 1, size - 1);
    if (data[0] & 1) {
        const auto info = wscam::inspect_access_unit(rest);
        if (info && (!info->slices || info->nal_units < 1)) std::abort();
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
    return 0;
}
