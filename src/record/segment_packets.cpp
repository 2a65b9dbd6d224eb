#include "record/segment_packets.hpp"

#include <algorithm>

extern "C" {
#include <libavformat/avformat.h>
}

#include "record/libav_log.hpp"
#include "record/mp4_clock.hpp"
#include "record/plain_file.hpp"

namespace wscam::record {

struct segment_packets::demuxer {
    AVFormatContext* ctx = nullptr;
    AVPacket* packet = av_packet_alloc();
    ~demuxer() {
        av_packet_free(&packet);
        avformat_close_input(&ctx);
    }
};

segment_packets::segment_packets(const std::filesystem::path& file, std::int64_t start_us)
    : demux_(std::make_unique<demuxer>()), start_us_(start_us) {
    quiet_libav();
    const auto name = file.filename().string();
    if (!demux_->packet) throw segment_error(name + ": out of memory");
    if (!plain_file(file)) {
        std::error_code ec;
        if (!std::filesystem::exists(std::filesystem::symlink_status(file, ec))) throw segment_gone(name + " is gone");
        throw segment_error(name + " is not a plain file (a link, a folder, a FIFO...)");
    }
    if (avformat_open_input(&demux_->ctx, file.c_str(), nullptr, nullptr) < 0)
        throw segment_error(name + " cannot be opened as MP4");
    if (avformat_find_stream_info(demux_->ctx, nullptr) < 0 || demux_->ctx->nb_streams < 1)
        throw segment_error(name + " has no track");
    const auto* par = demux_->ctx->streams[0]->codecpar;
    if (par->codec_type != AVMEDIA_TYPE_VIDEO || (par->codec_id != AV_CODEC_ID_H264 && par->codec_id != AV_CODEC_ID_MJPEG))
        throw segment_error(name + " holds no H.264 or MJPEG video");
    codec_ = par->codec_id == AV_CODEC_ID_H264 ? codec::h264 : codec::mjpeg;
}

segment_packets::~segment_packets() = default;

std::optional<recorded_picture> segment_packets::next() {
    auto* pkt = demux_->packet;
    const AVStream* track = demux_->ctx->streams[0];
    for (;;) {
        av_packet_unref(pkt);
        if (av_read_frame(demux_->ctx, pkt) < 0) return std::nullopt;
        if (pkt->stream_index != 0 || pkt->pts == AV_NOPTS_VALUE || pkt->size <= 0) continue;
        return recorded_picture{{pkt->data, static_cast<std::size_t>(pkt->size)},
                                start_us_ + av_rescale_q(pkt->pts, track->time_base, microseconds_base),
                                av_rescale_q(std::max<std::int64_t>(pkt->duration, 0), track->time_base, microseconds_base),
                                (pkt->flags & AV_PKT_FLAG_KEY) != 0};
    }
}

bool segment_packets::seek(std::int64_t at_us) {
    const auto target = av_rescale_q(std::max<std::int64_t>(at_us - start_us_, 0), microseconds_base,
                                     demux_->ctx->streams[0]->time_base);
    return av_seek_frame(demux_->ctx, 0, target, AVSEEK_FLAG_BACKWARD) >= 0;
}

int segment_packets::width() const { return demux_->ctx->streams[0]->codecpar->width; }
int segment_packets::height() const { return demux_->ctx->streams[0]->codecpar->height; }
const AVCodecParameters& segment_packets::parameters() const { return *demux_->ctx->streams[0]->codecpar; }

std::int64_t segment_packets::stated_duration_us() const {
    const auto d = demux_->ctx->duration;
    return d > 0 ? av_rescale_q(d, AV_TIME_BASE_Q, microseconds_base) : 0;
}

std::unique_ptr<segment_packets> open_listed(const segment_files& files, std::size_t i, bool newest_may_be_empty) {
    try {
        return std::make_unique<segment_packets>(files[i].first, files[i].second);
    } catch (const segment_gone&) {
        return nullptr;  // deleted since it was listed: what remains is read
    } catch (const segment_error&) {
        if (newest_may_be_empty && i + 1 == files.size()) return nullptr;
        throw;
    }
}

}  // namespace wscam::record
