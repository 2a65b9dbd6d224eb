#include "record/segment_writer.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <mutex>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
}

#include "record/libav_log.hpp"
#include "record/mp4_clock.hpp"
#include "record/plain_file.hpp"

namespace wscam::record {

struct segment_writer::muxer {
    AVFormatContext* ctx = nullptr;
    AVStream* stream = nullptr;
    AVPacket* packet = nullptr;
    std::int64_t last_pts = -1;
    std::int64_t last_duration_us = 100'000;  // until two pictures have come: 10 fps

    ~muxer() {
        av_packet_free(&packet);
        if (ctx) {
            if (ctx->pb) avio_closep(&ctx->pb);
            avformat_free_context(ctx);
        }
    }
};

segment_writer::segment_writer(const std::string& path, const segment_format& format, std::int64_t start_us)
    : mux_(std::make_unique<muxer>()), start_us_(start_us), last_us_(start_us), fragment_start_us_(start_us),
      fragment_us_(std::max<std::int64_t>(1, format.fragment_us)) {
    quiet_libav();
    auto fail = [&](const std::string& what, int code) {
        throw segment_error("cannot " + what + " " + path + ": " + av_reason(code));
    };
    if (format.codec == codec::h264 && format.h264_keyframe.empty())
        throw segment_error("cannot create " + path + ": an H.264 segment starts with a keyframe");
    if (std::string why; !create_new_file(path, &why)) throw segment_error("cannot create " + path + ": " + why);
    if (int rc = avformat_alloc_output_context2(&mux_->ctx, nullptr, "mp4", path.c_str()); rc < 0)
        fail("set up an MP4 muxer for", rc);
    mux_->stream = avformat_new_stream(mux_->ctx, nullptr);
    if (!mux_->stream) fail("add a track to", AVERROR(ENOMEM));
    mux_->stream->time_base = mp4_clock;
    AVCodecParameters* par = mux_->stream->codecpar;
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = format.codec == codec::h264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_MJPEG;
    par->width = format.width;
    par->height = format.height;
    if (format.codec == codec::h264) {
        // The muxer's avcC takes the SPS and PPS out of an Annex B keyframe and ignores the rest.
        const auto size = format.h264_keyframe.size();
        par->extradata = static_cast<std::uint8_t*>(av_mallocz(size + AV_INPUT_BUFFER_PADDING_SIZE));
        if (!par->extradata) fail("allocate the header of", AVERROR(ENOMEM));
        std::memcpy(par->extradata, format.h264_keyframe.data(), size);
        par->extradata_size = static_cast<int>(size);
    }
    if (int rc = avio_open(&mux_->ctx->pb, path.c_str(), AVIO_FLAG_WRITE); rc < 0) fail("create", rc);
    AVDictionary* options = nullptr;
    // An empty moov up front and fragments we cut ourselves (frag_custom): playable while written.
    av_dict_set(&options, "movflags", "frag_custom+empty_moov+default_base_moof", 0);
    const int rc = avformat_write_header(mux_->ctx, &options);
    av_dict_free(&options);
    if (rc < 0) fail("write the header of", rc);
    mux_->packet = av_packet_alloc();
    if (!mux_->packet) fail("allocate a packet for", AVERROR(ENOMEM));
}

segment_writer::~segment_writer() {
    if (closed_) return;
    try {
        close(last_us_ + mux_->last_duration_us);
    } catch (const segment_error&) {
        // The fragments already in the file stay playable; the muxer is freed by mux_.
    }
}

void segment_writer::add(std::span<const std::uint8_t> payload, std::int64_t capture_us, bool keyframe) {
    capture_us = std::max(capture_us, last_us_);
    if (holding_) {
        write_held(capture_us);
        if (capture_us - fragment_start_us_ >= fragment_us_) {
            // Everything up to the picture just written goes to the file now.
            if (int rc = av_write_frame(mux_->ctx, nullptr); rc < 0)
                throw segment_error("cannot write a fragment: " + av_reason(rc));
            avio_flush(mux_->ctx->pb);
            fragment_start_us_ = capture_us;
        }
    }
    held_.assign(payload.begin(), payload.end());
    held_us_ = capture_us;
    held_keyframe_ = keyframe;
    holding_ = true;
    last_us_ = capture_us;
}

void segment_writer::write_held(std::int64_t until_us) {
    AVPacket* p = mux_->packet;
    av_packet_unref(p);
    p->data = held_.data();
    p->size = static_cast<int>(held_.size());
    p->stream_index = 0;
    p->flags = held_keyframe_ ? AV_PKT_FLAG_KEY : 0;
    const auto tb = mux_->stream->time_base;  // the muxer may have chosen another
    // A strictly increasing timeline: two pictures within one tick are one tick apart.
    p->pts = p->dts = std::max(av_rescale_q(held_us_ - start_us_, microseconds_base, tb), mux_->last_pts + 1);
    const std::int64_t duration_us = until_us > held_us_ ? until_us - held_us_ : mux_->last_duration_us;
    p->duration = std::max<std::int64_t>(1, av_rescale_q(duration_us, microseconds_base, tb));
    mux_->last_pts = p->pts;
    mux_->last_duration_us = duration_us;
    end_us_ = held_us_ + duration_us;
    const int rc = av_write_frame(mux_->ctx, p);
    p->data = nullptr;
    p->size = 0;
    if (rc < 0) throw segment_error("cannot write a picture: " + av_reason(rc));
    ++frames_;
    holding_ = false;
}

void segment_writer::close(std::int64_t end_us) {
    if (closed_) return;
    closed_ = true;
    end_us_ = last_us_;
    if (holding_) write_held(end_us);
    if (int rc = av_write_trailer(mux_->ctx); rc < 0) throw segment_error("cannot finish a segment: " + av_reason(rc));
    if (int rc = avio_closep(&mux_->ctx->pb); rc < 0) throw segment_error("cannot close a segment: " + av_reason(rc));
}

std::uint64_t segment_writer::bytes() const {
    if (!mux_->ctx || !mux_->ctx->pb) return 0;
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, avio_tell(mux_->ctx->pb)));
}

}  // namespace wscam::record
