#include "codec/h264_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <stdexcept>

#include <x264.h>

#include "codec/h264_bitstream.hpp"
#include "core/frame.hpp"

namespace wscam {

namespace {

// What x264 said last on this thread (an encoder is opened and used on one thread): its reason
// goes into our own exception, logged by the caller at most every 10 s. x264's default logger
// prints every error to stderr, one line per picture a camera sends (an attack review: a camera's
// 65000x16 pictures made 233 lines a second).
thread_local std::string x264_said;

void x264_log(void*, int level, const char* format, va_list args) {
    if (level > X264_LOG_ERROR) return;
    char text[256];
    std::vsnprintf(text, sizeof text, format, args);
    x264_said = text;
    while (!x264_said.empty() && (x264_said.back() == '\n' || x264_said.back() == ' ')) x264_said.pop_back();
}

// Constrained baseline: profile_idc 66 with constraint_set0 and constraint_set1 (what x264's
// "baseline" profile writes), the one profile every WebCodecs H.264 decoder takes.
constexpr int baseline_profile_idc = 66;
constexpr int constrained_baseline_flags = 0xC0;

}  // namespace

h264_settings h264_settings::for_slow_links() const {
    h264_settings s = *this;
    s.max_kbps = max_kbps > 0 ? std::min(max_kbps, slow_link_kbps) : slow_link_kbps;
    if (s.bitrate_kbps > s.max_kbps) s.bitrate_kbps = s.max_kbps;
    s.max_width = max_width > 0 ? std::min(max_width, slow_link_width) : slow_link_width;
    return s;
}

std::pair<int, int> h264_settings::encoded_size(int width, int height) const {
    const auto scaled = scaled_decode_size(width, height, max_width, max_pixels).value_or(std::pair{width, height});
    return {scaled.first & ~1, scaled.second & ~1};
}

std::string h264_codec_string_for(int width, int height, double fps) {
    return avc_codec_string(baseline_profile_idc, constrained_baseline_flags,
                            h264_level_for(width & ~1, height & ~1, fps > 0 ? fps : 30));
}

void h264_encoder::x264_deleter::operator()(void* encoder) const { x264_encoder_close(static_cast<x264_t*>(encoder)); }

h264_encoder::h264_encoder(int width, int height, double fps, const h264_settings& s) : width_(width), height_(height) {
    if (width < 2 || height < 2 || width % 2 || height % 2)
        throw std::runtime_error("H.264 needs an even picture size, not " + std::to_string(width) + "x" +
                                 std::to_string(height));
    if (!(fps > 0)) fps = 30;
    x264_param_t p;
    if (x264_param_default_preset(&p, s.preset.c_str(), "zerolatency") < 0)
        throw std::runtime_error("unknown x264 preset '" + s.preset + "'");
    p.i_log_level = X264_LOG_ERROR;
    p.pf_log = x264_log;
    p.i_csp = X264_CSP_I420;
    p.i_width = width;
    p.i_height = height;
    // Frame rate as a fraction (30000/1001 for 29.97); it steers rate control.
    p.i_fps_num = static_cast<std::uint32_t>(std::lround(fps * 1000));
    p.i_fps_den = 1000;
    p.b_vfr_input = 0;  // pictures come at the camera's pace; the timestamps are only counters
    p.i_threads = std::max(1, s.threads);
    p.b_sliced_threads = 1;  // zerolatency's choice: threads split a picture, so they add no delay
    p.i_keyint_max = std::max(1, static_cast<int>(std::lround(fps * s.keyint_s)));
    p.i_keyint_min = std::max(1, p.i_keyint_max / 10);
    p.b_intra_refresh = 0;  // a viewer joins at an IDR; intra refresh alone cannot be joined
    p.b_repeat_headers = 1;  // SPS and PPS before every IDR: each keyframe stands alone
    p.b_annexb = 1;
    p.i_level_idc = h264_level_for(width, height, fps);
    // The samples are a JPEG's (JFIF): full range 0-255, BT.601 matrix. Said in the SPS's VUI,
    // or decoders (WebCodecs, ffmpeg) read them as limited range: crushed blacks, clipped whites.
    p.vui.b_fullrange = 1;
    p.vui.i_colmatrix = 6;   // SMPTE 170M (BT.601)
    p.vui.i_colorprim = 6;   // SMPTE 170M
    p.vui.i_transfer = 6;    // SMPTE 170M
    if (s.bitrate_kbps > 0) {
        p.rc.i_rc_method = X264_RC_ABR;
        p.rc.i_bitrate = s.bitrate_kbps;
    } else {
        p.rc.i_rc_method = X264_RC_CRF;
        p.rc.f_rf_constant = static_cast<float>(s.crf);
    }
    const int cap = s.max_kbps > 0 ? s.max_kbps : (s.bitrate_kbps > 0 ? 2 * s.bitrate_kbps : 0);
    if (cap > 0) {
        p.rc.i_vbv_max_bitrate = cap;
        p.rc.i_vbv_buffer_size = cap;  // one second's worth: a keyframe may take that much
    }
    if (x264_param_apply_profile(&p, "baseline") < 0) throw std::runtime_error("x264 refused the baseline profile");
    x264_said.clear();
    encoder_.reset(x264_encoder_open(&p));
    if (!encoder_)
        throw std::runtime_error("x264 could not open an encoder for " + std::to_string(width) + "x" +
                                 std::to_string(height) + (x264_said.empty() ? "" : " (x264: " + x264_said + ")"));
    // The codec string from the SPS x264 will write.
    x264_nal_t* nals = nullptr;
    int count = 0;
    const int bytes = x264_encoder_headers(static_cast<x264_t*>(encoder_.get()), &nals, &count);
    for (int i = 0; i < count && bytes > 0; ++i) {
        if (nals[i].i_type != NAL_SPS) continue;
        // Start code, NAL header, then profile_idc, the constraint flags and level_idc.
        const std::uint8_t* sps = nals[i].p_payload;
        const std::size_t at = sps[2] == 1 ? 3 : 4;
        if (static_cast<std::size_t>(nals[i].i_payload) >= at + 4)
            codec_string_ = avc_codec_string(sps[at + 1], sps[at + 2], sps[at + 3]);
    }
    if (codec_string_.empty()) throw std::runtime_error("x264 wrote no SPS");
}

h264_encoder::~h264_encoder() = default;

h264_access_unit h264_encoder::encode(const yuv420_image& picture, bool keyframe) {
    if (picture.width != width_ || picture.height != height_)
        throw std::invalid_argument("picture size differs from the encoder's");
    x264_picture_t in;
    x264_picture_init(&in);
    in.img.i_csp = X264_CSP_I420;
    in.img.i_plane = 3;
    in.img.plane[0] = const_cast<std::uint8_t*>(picture.y.data());
    in.img.plane[1] = const_cast<std::uint8_t*>(picture.u.data());
    in.img.plane[2] = const_cast<std::uint8_t*>(picture.v.data());
    in.img.i_stride[0] = picture.stride_y;
    in.img.i_stride[1] = in.img.i_stride[2] = picture.stride_uv;
    in.i_type = keyframe ? X264_TYPE_IDR : X264_TYPE_AUTO;
    in.i_pts = pts_++;
    x264_picture_t out;
    x264_nal_t* nals = nullptr;
    int count = 0;
    x264_said.clear();
    const int bytes = x264_encoder_encode(static_cast<x264_t*>(encoder_.get()), &nals, &count, &in, &out);
    if (bytes < 0)
        throw std::runtime_error(std::string("x264 failed to encode a picture") + (x264_said.empty() ? "" : " (x264: " + x264_said + ")"));
    h264_access_unit au;
    if (bytes == 0) return au;  // zerolatency never holds a picture back; the caller skips an empty one
    // With b_annexb the NAL units lie back to back in one buffer, start codes included.
    au.storage = frame::make_storage(std::span<const std::uint8_t>(nals[0].p_payload, static_cast<std::size_t>(bytes)));
    au.size = static_cast<std::size_t>(bytes);
    au.keyframe = out.b_keyframe && out.i_type == X264_TYPE_IDR;
    return au;
}

}  // namespace wscam
