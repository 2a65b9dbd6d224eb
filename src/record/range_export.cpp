#include "record/range_export.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
}

#include "record/libav_log.hpp"
#include "record/mp4_clock.hpp"
#include "record/plain_file.hpp"
#include "record/segment_packets.hpp"
#include "record/time_text.hpp"

namespace wscam::record {
namespace {


/** The output file: a plain MP4 muxer that copies one video track. */
class mp4_out {
public:
    mp4_out(const std::filesystem::path& path, const AVCodecParameters& track) {
        quiet_libav();
        if (avformat_alloc_output_context2(&ctx_, nullptr, "mp4", path.c_str()) < 0 || !ctx_)
            throw segment_error("cannot set up an MP4 muxer");
        stream_ = avformat_new_stream(ctx_, nullptr);
        packet_ = av_packet_alloc();
        if (!stream_ || !packet_ || avcodec_parameters_copy(stream_->codecpar, &track) < 0)
            throw segment_error("out of memory");
        stream_->codecpar->codec_tag = 0;  // the muxer picks MP4's own tag for the codec
        stream_->time_base = mp4_clock;
        if (std::string why; !create_new_file(path, &why)) throw segment_error("cannot create the export: " + why);
        if (avio_open(&ctx_->pb, path.c_str(), AVIO_FLAG_WRITE) < 0) throw segment_error("cannot write the export");
        AVDictionary* opts = nullptr;
        av_dict_set(&opts, "movflags", "+faststart", 0);
        const int rc = avformat_write_header(ctx_, &opts);
        av_dict_free(&opts);
        if (rc < 0) throw segment_error("cannot start the export");
    }
    ~mp4_out() {
        av_packet_free(&packet_);
        if (ctx_) {
            if (ctx_->pb) avio_closep(&ctx_->pb);
            avformat_free_context(ctx_);
        }
    }
    mp4_out(const mp4_out&) = delete;
    mp4_out& operator=(const mp4_out&) = delete;

    /** Writes one picture at `at_us` on the export's timeline (negative: before the range, hidden). */
    void write(std::span<const std::uint8_t> data, std::int64_t at_us, std::int64_t duration_us, bool keyframe) {
        av_packet_unref(packet_);
        if (av_new_packet(packet_, static_cast<int>(data.size())) < 0) throw segment_error("out of memory");
        std::copy(data.begin(), data.end(), packet_->data);
        auto ts = av_rescale_q(at_us, microseconds_base, stream_->time_base);
        if (ts <= last_ts_) ts = last_ts_ + 1;  // strictly increasing, as MP4 needs
        last_ts_ = ts;
        packet_->pts = packet_->dts = ts;
        packet_->duration = std::max<std::int64_t>(1, av_rescale_q(duration_us, microseconds_base, stream_->time_base));
        packet_->stream_index = stream_->index;
        if (keyframe) packet_->flags |= AV_PKT_FLAG_KEY;
        if (av_write_frame(ctx_, packet_) < 0) throw segment_error("cannot write the export");
    }
    void finish() {
        if (av_write_trailer(ctx_) < 0) throw segment_error("cannot finish the export");
    }

private:
    AVFormatContext* ctx_ = nullptr;
    AVStream* stream_ = nullptr;
    AVPacket* packet_ = nullptr;
    std::int64_t last_ts_ = std::numeric_limits<std::int64_t>::min();
};

/** A picture copied out of its segment (H.264 pictures wait for the keyframe they need). */
struct held_picture {
    std::vector<std::uint8_t> data;
    std::int64_t capture_us;
    std::int64_t duration_us;
    bool keyframe;
};

}  // namespace

export_result export_range(const std::vector<std::pair<std::filesystem::path, std::int64_t>>& segments,
                           std::int64_t from_us, std::int64_t to_us, const std::filesystem::path& out) {
    if (to_us <= from_us) throw export_error("the range is empty (to is not after from)");
    std::unique_ptr<mp4_out> file;
    std::optional<record::codec> codec;
    int width = 0, height = 0;
    export_result result;
    // H.264 before the range: the pictures since the newest keyframe, written when the range starts.
    std::vector<held_picture> lead_in;
    auto write = [&](std::span<const std::uint8_t> data, std::int64_t capture_us, std::int64_t duration_us, bool key) {
        file->write(data, capture_us - from_us, std::min(duration_us, to_us - capture_us), key);
    };
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto opened = open_listed(segments, i, true);  // the newest may be empty yet
        if (!opened) continue;
        auto& pictures = *opened;
        const auto start_us = segments[i].second;
        if (!file) pictures.seek(from_us);  // to the keyframe before the range: the lead-in starts there
        if (!codec) {
            codec = pictures.codec();
            width = pictures.width();
            height = pictures.height();
        } else if (pictures.codec() != *codec || pictures.width() != width || pictures.height() != height) {
            throw export_error("the recording changes codec or size at " + iso_time(start_us) +
                               ": export the range before it and the range after it separately");
        }
        while (const auto p = pictures.next()) {
            if (p->capture_us >= to_us) break;
            if (p->capture_us < from_us) {
                if (*codec == codec::h264) {
                    if (p->keyframe) lead_in.clear();
                    if (p->keyframe || !lead_in.empty())
                        lead_in.push_back({{p->data.begin(), p->data.end()}, p->capture_us, p->duration_us, p->keyframe});
                }
                continue;
            }
            if (!file) {
                const bool lead = *codec == codec::h264 && !p->keyframe;
                if (lead && lead_in.empty()) continue;  // no keyframe yet: nothing before it decodes
                file = std::make_unique<mp4_out>(out, pictures.parameters());
                if (lead)
                    for (const auto& h : lead_in) write(h.data, h.capture_us, h.duration_us, h.keyframe);
                lead_in.clear();
                lead_in.shrink_to_fit();
                result.first_us = p->capture_us;
            }
            write(p->data, p->capture_us, p->duration_us, p->keyframe);
            ++result.frames;
            result.last_us = p->capture_us;
        }
    }
    if (!file) throw export_error("nothing was recorded between " + iso_time(from_us) + " and " + iso_time(to_us));
    file->finish();
    return result;
}

}  // namespace wscam::record
