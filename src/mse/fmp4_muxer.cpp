#include "mse/fmp4_muxer.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
}

#include "codec/h264_bitstream.hpp"
#include "record/libav_log.hpp"
#include "record/mp4_clock.hpp"

namespace wscam::mse {
namespace {

using record::av_reason;

// A unit's duration (see the class comment): at least 1 s, 4 typical intervals for a slower camera.
constexpr std::int64_t min_duration_us = 1'000'000;
constexpr std::int64_t max_duration_us = 60'000'000;
constexpr int io_buffer_bytes = 64 * 1024;

std::uint64_t read_be(std::span<const std::uint8_t> b, std::size_t at, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | b[at + i];
    return v;
}

/** The payload of the first box of `type` among the boxes that fill `b`; empty if none. */
std::span<std::uint8_t> child(std::span<std::uint8_t> b, std::string_view type) {
    for (std::size_t at = 0; at + 8 <= b.size();) {
        const auto size = read_be(b, at, 4);
        if (size < 8 || size > b.size() - at) return {};
        if (std::string_view(reinterpret_cast<const char*>(&b[at + 4]), 4) == type) return b.subspan(at + 8, size - 8);
        at += size;
    }
    return {};
}

/**
 * Sets the media segment's baseMediaDecodeTime (moof/traf/tfdt) to `time` in the track's
 * clock. libavformat numbers a fragment by the durations of the samples before it, and a live
 * unit's duration is a guess (see add); MSE places a fragment by this field alone, so it gets
 * the capture time, exactly, and a guess that was wrong leaves a gap or overlap of a few ms
 * that the browser absorbs, never a drift.
 */
void set_decode_time(std::span<std::uint8_t> segment, std::int64_t time) {
    const auto tfdt = child(child(child(segment, "moof"), "traf"), "tfdt");
    if (tfdt.size() != 12 || tfdt[0] != 1)  // version 1: a 64-bit time after version and flags
        throw fmp4_error("the muxer wrote no 64-bit tfdt box to set the fragment's time in");
    for (int i = 0; i < 8; ++i) tfdt[4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(time >> (56 - 8 * i));
}

}  // namespace

struct fmp4_muxer::context {
    AVFormatContext* fmt = nullptr;
    AVStream* stream = nullptr;
    AVPacket* packet = nullptr;
    std::vector<std::uint8_t>* out = nullptr;  // where the muxer's bytes go now

    // AVIO's write callback: every byte the muxer writes lands in `out`.
    static int write(void* opaque, std::uint8_t* data, int size) {  // FFmpeg 5: not const
        auto* self = static_cast<context*>(opaque);
        if (!self->out) return AVERROR(EINVAL);
        self->out->insert(self->out->end(), data, data + size);
        return size;
    }

    ~context() {
        av_packet_free(&packet);
        if (fmt) {
            if (fmt->pb) {
                av_freep(&fmt->pb->buffer);
                avio_context_free(&fmt->pb);
            }
            avformat_free_context(fmt);
        }
    }
};

fmp4_muxer::fmp4_muxer(std::span<const std::uint8_t> keyframe, int width, int height, const fmp4_muxer* before)
    : ctx_(std::make_unique<context>()) {
    if (before) {
        last_us_ = before->last_us_;
        intervals_ = before->intervals_;
        interval_count_ = before->interval_count_;
    }
    record::quiet_libav();
    auto fail = [](const std::string& what, int code) { throw fmp4_error("cannot " + what + ": " + av_reason(code)); };
    if (find_nal_unit(keyframe, 7).empty() || find_nal_unit(keyframe, 8).empty())
        throw fmp4_error("an fMP4 track starts at a keyframe with SPS and PPS");
    if (int rc = avformat_alloc_output_context2(&ctx_->fmt, nullptr, "mp4", nullptr); rc < 0) fail("set up an MP4 muxer", rc);
    ctx_->stream = avformat_new_stream(ctx_->fmt, nullptr);
    if (!ctx_->stream) fail("add a track", AVERROR(ENOMEM));
    ctx_->stream->time_base = record::mp4_clock;
    AVCodecParameters* par = ctx_->stream->codecpar;
    par->codec_type = AVMEDIA_TYPE_VIDEO;
    par->codec_id = AV_CODEC_ID_H264;
    par->width = width;
    par->height = height;
    // The muxer's avcC takes the SPS and PPS out of an Annex B keyframe and ignores the rest; it
    // turns each Annex B unit into length-prefixed NAL units as MP4 wants.
    par->extradata = static_cast<std::uint8_t*>(av_mallocz(keyframe.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    if (!par->extradata) fail("allocate the track header", AVERROR(ENOMEM));
    std::memcpy(par->extradata, keyframe.data(), keyframe.size());
    par->extradata_size = static_cast<int>(keyframe.size());

    auto* buffer = static_cast<unsigned char*>(av_malloc(io_buffer_bytes));
    if (!buffer) fail("allocate the muxer's buffer", AVERROR(ENOMEM));
    ctx_->fmt->pb = avio_alloc_context(buffer, io_buffer_bytes, 1, ctx_.get(), nullptr, &context::write, nullptr);
    if (!ctx_->fmt->pb) {
        av_free(buffer);
        fail("set up the muxer's output", AVERROR(ENOMEM));
    }
    ctx_->fmt->pb->seekable = 0;
    AVDictionary* options = nullptr;
    // An empty moov (the init segment) and fragments cut by us, one per unit (frag_custom); each
    // fragment's data offsets count from its moof (default_base_moof), as MSE expects.
    av_dict_set(&options, "movflags", "frag_custom+empty_moov+default_base_moof", 0);
    ctx_->out = &init_;
    int rc = avformat_write_header(ctx_->fmt, &options);
    av_dict_free(&options);
    if (rc < 0) fail("write the init segment", rc);
    avio_flush(ctx_->fmt->pb);
    ctx_->out = nullptr;
    ctx_->packet = av_packet_alloc();
    if (!ctx_->packet) fail("allocate a packet", AVERROR(ENOMEM));
}

fmp4_muxer::~fmp4_muxer() = default;

std::int64_t fmp4_muxer::typical_interval() const {
    const auto n = std::min(interval_count_, intervals_.size());
    if (n == 0) return default_interval_us;
    std::array<std::int64_t, 8> sorted{};
    std::copy_n(intervals_.begin(), n, sorted.begin());
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n / 2), sorted.begin() + static_cast<std::ptrdiff_t>(n));
    return sorted[n / 2];
}

void fmp4_muxer::add(std::span<const std::uint8_t> unit, std::int64_t capture_us, bool keyframe,
                     std::vector<std::uint8_t>& out) {
    if (last_us_ >= 0) {
        capture_us = std::max(capture_us, last_us_ + 1);
        intervals_[interval_count_++ % intervals_.size()] = capture_us - last_us_;
    }
    last_us_ = capture_us;
    const std::int64_t duration_us = std::clamp(4 * typical_interval(), min_duration_us, max_duration_us);
    AVPacket* p = ctx_->packet;
    av_packet_unref(p);
    p->data = const_cast<std::uint8_t*>(unit.data());  // read only: the muxer copies it into its fragment
    p->size = static_cast<int>(unit.size());
    p->stream_index = 0;
    p->flags = keyframe ? AV_PKT_FLAG_KEY : 0;
    const auto tb = ctx_->stream->time_base;  // the muxer may have chosen another clock
    const std::int64_t p_time = av_rescale_q(capture_us, record::microseconds_base, tb);
    p->pts = p->dts = p_time;
    p->duration = std::max<std::int64_t>(1, av_rescale_q(duration_us, record::microseconds_base, tb));
    ctx_->out = &out;
    const auto begin = out.size();
    int rc = av_write_frame(ctx_->fmt, p);
    p->data = nullptr;
    p->size = 0;
    if (rc >= 0) rc = av_write_frame(ctx_->fmt, nullptr);  // the fragment of this one unit, now
    if (rc >= 0) avio_flush(ctx_->fmt->pb);
    ctx_->out = nullptr;
    if (rc < 0) throw fmp4_error("cannot write an access unit: " + av_reason(rc));
    set_decode_time(std::span(out).subspan(begin), p_time);
}

}  // namespace wscam::mse
