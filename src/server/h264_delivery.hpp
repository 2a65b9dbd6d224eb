#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "transcode/access_unit_queue.hpp"
#include "core/stream.hpp"
#include "transcode/keyframe_requests.hpp"
#include "transcode/rendition_choice.hpp"
#include "server/beast.hpp"
#include "server/frame_delivery.hpp"

namespace wscam {

class frame_hub;
class h264_stream;
class shared_state;
namespace mse {
class fmp4_rendition;
}
class viewer_group;

/** Where an h264_delivery's units go: its WebSocket session, on the session's thread. */
class h264_unit_sink {
public:
    virtual ~h264_unit_sink() = default;
    /** A unit from `from`'s encoder: hand it to h264_delivery::offer_unit, then write. */
    virtual void deliver_unit(rendition from, const frame_ptr& unit) = 0;
};

/** How an H.264 viewer gets each access unit: Annex B for WebCodecs, or an fMP4 media segment for MSE. */
enum class unit_form { annexb, fmp4 };

/**
 * The frame delivery of an H.264 WebSocket viewer (`?codec=h264`, or `?codec=fmp4` for the same
 * units packaged for Media Source Extensions, see mse::fmp4_rendition): which of the stream's
 * renditions it gets, its membership in that rendition's viewer group, and its
 * access_unit_queue. (The stream's own JPEGs reach it too, through the stream's group: ignored.)
 *
 * It starts on the full rendition. When it falls behind there (its link cannot carry the
 * stream), it moves to the reduced rendition (capped at --h264-slow-link-bitrate) at once and
 * asks that encoder for a keyframe; the full rendition's other viewers are not touched. Now and
 * then (rendition_choice) it tries the full one again: it joins it *while still getting the
 * reduced one* and moves over at the full one's next keyframe, so a probe costs no forced IDR
 * and no freeze. Every move starts at a keyframe with SPS and PPS; sequence numbers keep
 * increasing. All on the session's thread.
 */
class h264_delivery final : public frame_delivery {
public:
    h264_delivery(shared_state& state, std::shared_ptr<stream> source, net::io_context& ioc, std::string peer,
                  unit_form form = unit_form::annexb);
    ~h264_delivery() override;
    h264_delivery(const h264_delivery&) = delete;
    h264_delivery& operator=(const h264_delivery&) = delete;

    /** Joins the full rendition and starts its encoder; empty if it did, else why not (the viewer gets JPEG). */
    std::string start(const std::shared_ptr<h264_unit_sink>& sink);

    std::string_view codec() const override { return form_ == unit_form::fmp4 ? "fmp4" : "h264"; }
    /** The codec of the size the full rendition encodes (a picture over its cap is scaled down). */
    std::string codec_string(const stream_info& info) const override;
    bool offer(const frame_ptr&) override { return false; }
    bool offer_unit(rendition from, const frame_ptr& unit, time_point now) override;
    frame_ptr start_write() override { return units_.start_write(); }
    void write_done() override { units_.write_done(); }
    /** Its decoder starts over: nothing more until the keyframe it asks for. */
    std::string restart() override;
    /** Paused: nothing until resumed, then a keyframe. Resuming fails (why) when its encoder cannot start again. */
    std::string set_paused(bool paused, const frame_ptr& latest) override;
    /** Leaves every group it is in. */
    void close(bool paused) override;
    std::string summary() const override;

    const access_unit_queue& units() const { return units_; }
    rendition current() const { return current_; }
    std::uint64_t switches() const { return switches_; }

private:
    class member;
    struct membership {
        std::shared_ptr<h264_stream> stream;
        std::shared_ptr<mse::fmp4_rendition> package;  // fMP4 viewers: the rendition's packaging
        std::shared_ptr<frame_hub> hub;                // what it joined: the units, or their packaging
        std::shared_ptr<viewer_group> group;
        std::shared_ptr<member> adapter;
    };
    /** Joins `which`'s group and starts its encoder; on failure says why and is left as it was. */
    bool join(rendition which, frame_ptr* latest, std::string* why);
    void leave(rendition which, bool paused);
    /** Acts on what rendition_choice now wants: moves down at once, or begins a probe. */
    void follow_choice(std::chrono::steady_clock::time_point now, const char* why);
    /** Leaves the current rendition for `which` (joined already): it waits for that one's keyframe. */
    void move_to(rendition which);
    /** A probe in progress ends: it leaves the rendition it was about to move to. */
    void cancel_probe();
    /** Moving failed (`why`): it stays where it is, and rendition_choice is told. */
    void stay(std::chrono::steady_clock::time_point now, const std::string& why);
    void request(keyframe_requests::kind k);
    /** A unit from `from`: moves a probe over at its keyframe, queues it, follows the rendition choice. */
    void take(rendition from, const frame_ptr& unit, time_point now);

    shared_state& state_;
    std::shared_ptr<stream> source_;
    net::io_context& ioc_;
    std::string peer_;
    unit_form form_;
    std::weak_ptr<h264_unit_sink> sink_;
    std::array<std::optional<membership>, 2> members_;  // by rendition
    rendition current_ = rendition::full;
    std::optional<rendition> pending_;                   // a probe: joined, moving at its next keyframe
    rendition_choice choice_;
    access_unit_queue units_;
    keyframe_requests::kind waiting_kind_ = keyframe_requests::kind::join;
    std::uint64_t switches_ = 0;
};

}  // namespace wscam
