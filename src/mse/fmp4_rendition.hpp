#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/frame_hub.hpp"
#include "core/frame_sink.hpp"
#include "mse/fmp4_muxer.hpp"

namespace wscam {
class h264_stream;
}

namespace wscam::mse {

/**
 * One H.264 rendition's access units as fMP4 media segments, for the viewers who decode with
 * Media Source Extensions (`?codec=fmp4`): packaged once per unit for all of them, like the
 * units themselves are encoded once, and published on output(), a hub of their own, under the
 * unit's sequence number and capture time. It adds no encoder: it subscribes to the rendition's
 * output as one more sink, and stands for as many viewers as its own hub has, so the encoder
 * runs exactly while someone wants either form.
 *
 * Invariants:
 *  - A keyframe's segment begins with the init segment (`ftyp` + `moov`) of the muxer that made
 *    it, so whoever starts at a keyframe (a new viewer, one that fell behind, one that moves
 *    between renditions) can start a SourceBuffer there; no per-viewer state is needed.
 *  - Nothing is packaged while its hub has no viewers; after that, nothing until a keyframe.
 *  - Every keyframe starts a new muxer (fmp4_muxer: a muxer must not outlive a group of
 *    pictures), continuing the timeline of the one before; a new picture size comes with its own.
 *
 * on_frame runs on the encoder's thread (one at a time); the mutex only guards against a second
 * publisher, which h264_stream never is.
 */
class fmp4_rendition final : public frame_sink {
public:
    /** Subscribes to `encoder`'s output; a removed output ends this one at once. */
    static std::shared_ptr<fmp4_rendition> make(std::shared_ptr<h264_stream> encoder);
    explicit fmp4_rendition(std::shared_ptr<h264_stream> encoder);
    ~fmp4_rendition() override;
    fmp4_rendition(const fmp4_rendition&) = delete;
    fmp4_rendition& operator=(const fmp4_rendition&) = delete;

    /** Where the media segments are published (type 3 frames). */
    const std::shared_ptr<frame_hub>& output() const { return output_; }
    /** The rendition it packages. */
    const std::shared_ptr<h264_stream>& encoder() const { return encoder_; }

    void on_frame(frame_ptr unit) override;
    void on_status(const stream_status&) override {}
    std::size_t viewers() const override { return output_->viewer_count(); }
    void on_removed(const std::string& reason) override { output_->remove(reason); }

    /** Units packaged, units passed over while waiting for a keyframe, units the muxer refused. */
    struct totals {
        std::uint64_t packaged = 0;
        std::uint64_t waited = 0;
        std::uint64_t failed = 0;
        std::uint64_t muxers = 0;  // made: one per keyframe packaged
    };
    totals counts() const;

private:
    void package(const frame_ptr& unit);

    std::shared_ptr<h264_stream> encoder_;
    std::shared_ptr<frame_hub> output_ = std::make_shared<frame_hub>();
    mutable std::mutex mutex_;
    std::unique_ptr<fmp4_muxer> muxer_;
    bool waiting_for_keyframe_ = true;
    totals counts_;
    std::string last_error_;
};

}  // namespace wscam::mse
