#include <algorithm>

extern "C" {
#include <libavformat/avformat.h>
}

#include "record/libav_log.hpp"
#include "record/recording_index.hpp"

namespace wscam::record {

std::optional<segment_entry> read_segment(const std::filesystem::path& file, std::string* why) {
    auto refuse = [&](std::string reason) -> std::optional<segment_entry> {
        if (why) *why = std::move(reason);
        return std::nullopt;
    };
    quiet_libav();
    const auto name = file.filename().string();
    const auto start = segment_start(name);
    if (!start) return refuse("not a segment's name");
    AVFormatContext* ctx = nullptr;
    if (avformat_open_input(&ctx, file.c_str(), nullptr, nullptr) < 0) return refuse("cannot be opened as MP4");
    struct closer {
        AVFormatContext*& c;
        ~closer() { avformat_close_input(&c); }
    } close_it{ctx};
    if (avformat_find_stream_info(ctx, nullptr) < 0 || ctx->nb_streams < 1) return refuse("has no track");
    const AVStream* st = ctx->streams[0];
    const auto* par = st->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_VIDEO || (par->codec_id != AV_CODEC_ID_H264 && par->codec_id != AV_CODEC_ID_MJPEG))
        return refuse("holds no H.264 or MJPEG video");
    segment_entry e;
    e.name = name;
    e.start_us = *start;
    e.codec = par->codec_id == AV_CODEC_ID_H264 ? codec::h264 : codec::mjpeg;
    e.width = par->width;
    e.height = par->height;
    std::error_code ec;
    e.bytes = std::filesystem::file_size(file, ec);
    AVPacket* pkt = av_packet_alloc();
    std::int64_t end = 0;  // in the track's clock, from the segment's first picture
    while (av_read_frame(ctx, pkt) >= 0) {
        if (pkt->stream_index == 0 && pkt->pts != AV_NOPTS_VALUE) {
            ++e.frames;
            end = std::max(end, pkt->pts + std::max<std::int64_t>(pkt->duration, 0));
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    if (e.frames == 0) return refuse("has no pictures");
    std::int64_t end_us = av_rescale_q(end, st->time_base, AVRational{1, 1'000'000});
    if (ctx->duration > 0) end_us = std::max<std::int64_t>(end_us, av_rescale_q(ctx->duration, AV_TIME_BASE_Q, AVRational{1, 1'000'000}));
    e.end_us = e.start_us + end_us;
    return e;
}

}  // namespace wscam::record
