#include "record/recorded_still.hpp"

#include <turbojpeg.h>

#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
}

#include "codec/jpeg_codec.hpp"
#include "record/segment_packets.hpp"

namespace wscam::record {
namespace {

constexpr int still_quality = 85;

struct held {
    std::vector<std::uint8_t> data;
    std::int64_t capture_us;
};

/** Decodes `gop` (a keyframe and the pictures after it) and encodes its last picture as a JPEG. */
std::vector<std::uint8_t> decode_last(const AVCodecParameters& track, const std::vector<held>& gop) {
    const AVCodec* decoder = avcodec_find_decoder(AV_CODEC_ID_H264);
    if (!decoder) throw segment_error("this FFmpeg has no H.264 decoder");
    struct state {
        AVCodecContext* ctx = nullptr;
        AVPacket* packet = av_packet_alloc();
        AVFrame* frame = av_frame_alloc();
        ~state() {
            av_frame_free(&frame);
            av_packet_free(&packet);
            avcodec_free_context(&ctx);
        }
    } s;
    s.ctx = avcodec_alloc_context3(decoder);
    if (!s.ctx || !s.packet || !s.frame || avcodec_parameters_to_context(s.ctx, &track) < 0)
        throw segment_error("out of memory");
    s.ctx->thread_count = 1;  // one still at a time per request; no thread pool per request
    if (avcodec_open2(s.ctx, decoder, nullptr) < 0) throw segment_error("cannot open the H.264 decoder");
    std::vector<std::uint8_t> jpeg;
    jpeg_encoder encoder;
    auto take = [&] {
        while (avcodec_receive_frame(s.ctx, s.frame) == 0) {
            if (s.frame->format != AV_PIX_FMT_YUV420P && s.frame->format != AV_PIX_FMT_YUVJ420P) continue;
            const std::uint8_t* planes[3] = {s.frame->data[0], s.frame->data[1], s.frame->data[2]};
            const int strides[3] = {s.frame->linesize[0], s.frame->linesize[1], s.frame->linesize[2]};
            jpeg.clear();
            jpeg.resize(encoder.encode_yuv_planes(planes, strides, s.frame->width, s.frame->height, TJSAMP_420,
                                                  still_quality, jpeg, 0));
        }
    };
    for (const auto& h : gop) {
        av_packet_unref(s.packet);
        if (av_new_packet(s.packet, static_cast<int>(h.data.size())) < 0) throw segment_error("out of memory");
        std::copy(h.data.begin(), h.data.end(), s.packet->data);
        if (avcodec_send_packet(s.ctx, s.packet) < 0) throw segment_error("the recorded H.264 does not decode");
        take();
    }
    avcodec_send_packet(s.ctx, nullptr);  // drain: the last picture comes out now
    take();
    if (jpeg.empty()) throw segment_error("the recorded H.264 gave no picture");
    return jpeg;
}

}  // namespace

std::optional<still> still_at(const std::filesystem::path& segment, std::int64_t start_us, std::int64_t at_us) {
    segment_packets pictures(segment, start_us);
    pictures.seek(at_us);  // the keyframe before: nothing earlier is read
    std::vector<held> gop;  // H.264: the keyframe at or before at_us and the pictures up to it
    std::optional<still> found;
    while (const auto p = pictures.next()) {
        if (p->capture_us > at_us) break;
        if (pictures.codec() == codec::mjpeg) {
            found = still{{p->data.begin(), p->data.end()}, p->capture_us};
            continue;
        }
        if (p->keyframe) gop.clear();
        if (p->keyframe || !gop.empty()) gop.push_back({{p->data.begin(), p->data.end()}, p->capture_us});
    }
    if (pictures.codec() == codec::mjpeg || gop.empty()) return found;
    return still{decode_last(pictures.parameters(), gop), gop.back().capture_us};
}

}  // namespace wscam::record
