#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codec/jpeg_to_yuv.hpp"

namespace wscam {

/** How wscam encodes H.264 for browsers (`--h264-*` options). */
struct h264_settings {
    std::string preset = "superfast";  // x264 preset: ultrafast … medium; zerolatency is always on
    int crf = 26;                      // constant quality (x264's scale: lower is better) when bitrate_kbps is 0
    int bitrate_kbps = 0;              // average bitrate; 0: constant quality (crf)
    int max_kbps = 0;                  // cap on the rate in any 1 s window (VBV); 0: none (or 2x bitrate_kbps)
    double keyint_s = 4;               // a keyframe at least this often, besides the ones new viewers ask for
    int threads = 2;                   // x264 slice threads per stream
    int slow_link_kbps = 600;          // cap of the reduced rendition for viewers whose link cannot carry the stream; 0: none
    int max_width = 0;                 // wider pictures are decoded at 1/2, 1/4 or 1/8 size to fit; 0: the camera's size
    // Larger pictures are decoded at 1/2, 1/4 or 1/8 size to fit (refused if even 1/8 does not):
    // a 40 MP picture (the frame cap) encoded whole took 682 MiB and 1.2 cores (--h264-max-pixels).
    std::int64_t max_pixels = default_max_pixels;
    static constexpr std::int64_t default_max_pixels = 3840 * 2160;

    /** The size pictures of a `width`x`height` camera are encoded at (even, after scaling to fit). */
    std::pair<int, int> encoded_size(int width, int height) const;

    /**
     * The reduced rendition's settings: these, capped at slow_link_kbps (which must be > 0), and
     * at most slow_link_width wide (a 720p or 1080p picture at half size: at 600 kbit/s the
     * full size would be all blocks).
     */
    h264_settings for_slow_links() const;
    static constexpr int slow_link_width = 960;
};

/**
 * The codec string every h264_encoder writes in its SPS for this size and rate, e.g.
 * "avc1.42C01E" (constrained baseline, the level from h264_level_for): what a viewer is told in
 * `hello` before the first picture is encoded.
 */
std::string h264_codec_string_for(int width, int height, double fps);

/** One encoded picture: an Annex B access unit with the header room of frame::make_storage in front. */
struct h264_access_unit {
    std::vector<std::uint8_t> storage;  // frame::header_size bytes of room, then the access unit
    std::size_t size = 0;               // of the access unit
    bool keyframe = false;              // IDR, with SPS and PPS in band
};

/**
 * libx264 for one picture size: constrained baseline (what every WebCodecs decoder takes), tune
 * zerolatency (no B-frames, no lookahead, sliced threads): exactly one access unit out per
 * picture in, at once. The level is chosen from the size and frame rate, so codec_string() is
 * known before the first picture. Not thread-safe; one per stream.
 */
class h264_encoder {
public:
    /** Throws std::runtime_error when x264 refuses the settings (its message is in the log). */
    h264_encoder(int width, int height, double fps, const h264_settings& settings);
    ~h264_encoder();
    h264_encoder(const h264_encoder&) = delete;
    h264_encoder& operator=(const h264_encoder&) = delete;

    /** Encodes `picture` (this encoder's size); `keyframe` forces an IDR. Throws on an x264 failure. */
    h264_access_unit encode(const yuv420_image& picture, bool keyframe);

    int width() const { return width_; }
    int height() const { return height_; }
    /** What the SPS says, e.g. "avc1.42C01E": for WebCodecs' VideoDecoder.configure. */
    const std::string& codec_string() const { return codec_string_; }

private:
    struct x264_deleter {
        void operator()(void* encoder) const;
    };
    int width_, height_;
    std::string codec_string_;
    std::unique_ptr<void, x264_deleter> encoder_;
    std::int64_t pts_ = 0;
};

}  // namespace wscam
