#include "server/h264_delivery.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include "codec/h264_encoder.hpp"
#include "mse/fmp4_renditions.hpp"
#include "server/shared_state.hpp"
#include "server/viewer_group.hpp"
#include "transcode/h264_streams.hpp"

namespace wscam {
namespace {

std::size_t index(rendition r) { return r == rendition::full ? 0 : 1; }

/**
 * The newest unit of a rendition, if it is recent enough to start a viewer at: an encoder that
 * stopped (nobody watched, or everyone paused) leaves its last unit behind, and a keyframe from an
 * hour ago would be shown as the present until the fresh one comes.
 */
frame_ptr fresh(frame_ptr latest) {
    constexpr std::int64_t max_age_us = 500'000;
    return latest && unix_now_us() - latest->publish_us() <= max_age_us ? latest : nullptr;
}

}  // namespace

/**
 * Its place in one rendition's viewer group: hands that rendition's units to the session,
 * saying where they came from (a probing viewer is in two groups at once). Status, controls
 * and removal reach the session through the stream's own group; they are ignored here.
 */
class h264_delivery::member : public stream_viewer {
public:
    member(std::weak_ptr<h264_unit_sink> sink, rendition from) : sink_(std::move(sink)), from_(from) {}
    void deliver(const frame_ptr& unit) override {
        if (auto s = sink_.lock()) s->deliver_unit(from_, unit);
    }
    void end_stream(const std::string&) override {}

private:
    std::weak_ptr<h264_unit_sink> sink_;
    rendition from_;
};

h264_delivery::h264_delivery(shared_state& state, std::shared_ptr<stream> source, net::io_context& ioc, std::string peer,
                             unit_form form)
    : state_(state), source_(std::move(source)), ioc_(ioc), peer_(std::move(peer)), form_(form),
      choice_(state.h264().has_reduced()) {}

h264_delivery::~h264_delivery() = default;

std::string h264_delivery::start(const std::shared_ptr<h264_unit_sink>& sink) {
    sink_ = sink;
    frame_ptr latest;
    std::string why;
    if (!join(rendition::full, &latest, &why)) return why;
    current_ = rendition::full;
    // A recent keyframe starts it at once; a recent delta makes take() ask for a keyframe. With
    // nothing recent (a packaging that had no viewers, an encoder that just started) it must ask
    // here: an encoder running for others would otherwise make it wait for the periodic keyframe
    // (an attack review: fMP4 viewers waited up to --h264-keyint, 17 s with 20).
    if (auto first = fresh(latest)) take(rendition::full, first, std::chrono::steady_clock::now());
    else request(waiting_kind_);
    state_.h264_opened();
    return {};
}

std::string h264_delivery::codec_string(const stream_info& info) const {
    const auto [coded_w, coded_h] = state_.h264().settings().encoded_size(info.width, info.height);
    return h264_codec_string_for(coded_w, coded_h, info.fps);
}

bool h264_delivery::offer_unit(rendition from, const frame_ptr& unit, time_point now) {
    const auto behind = units_.fell_behind();
    take(from, unit, now);
    return units_.fell_behind() != behind;
}

std::string h264_delivery::summary() const {
    return fmt::format("codec={} rendition={} frames={} drops={} fell_behind={} switches={}", codec(), to_string(current_),
                       units_.sent(), units_.skipped(), units_.fell_behind(), switches_);
}

bool h264_delivery::join(rendition which, frame_ptr* latest, std::string* why) {
    auto stream = state_.h264().for_stream(source_, which);
    // An fMP4 viewer joins the rendition's packaging, which subscribes to the same encoder.
    auto package = form_ == unit_form::fmp4 ? state_.fmp4().for_stream(source_, which) : nullptr;
    auto hub = package ? package->output() : stream->output();
    auto group = state_.groups().group_for(hub, ioc_);
    auto adapter = std::make_shared<member>(sink_, which);
    *latest = group->join(adapter);
    if (!stream->start(why)) {
        group->leave(adapter.get(), false);
        return false;
    }
    members_[index(which)] =
        membership{std::move(stream), std::move(package), std::move(hub), std::move(group), std::move(adapter)};
    return true;
}

void h264_delivery::leave(rendition which, bool paused) {
    auto& m = members_[index(which)];
    if (!m) return;
    m->group->leave(m->adapter.get(), paused);
    m.reset();
}

void h264_delivery::move_to(rendition which) {
    leave(current_, false);
    current_ = which;
    units_.restart();  // what waits belongs to the other encoder's sequence
    waiting_kind_ = keyframe_requests::kind::join;
    ++switches_;
}

void h264_delivery::cancel_probe() {
    if (!pending_) return;
    leave(*pending_, false);
    pending_.reset();
}

void h264_delivery::stay(std::chrono::steady_clock::time_point now, const std::string& why) {
    choice_.stay(current_, now);
    spdlog::debug("viewer h264 stays on the {} rendition stream={} peer={}: {}", to_string(current_), source_->name(),
                  peer_, why);
}

void h264_delivery::request(keyframe_requests::kind k) {
    if (auto& m = members_[index(current_)]) m->stream->request_keyframe(k);
}

void h264_delivery::take(rendition from, const frame_ptr& unit, time_point now) {
    if (!unit) return;
    if (pending_ && from == *pending_) {
        if (!unit->keyframe()) return;  // the probe moves over at a keyframe; until then the old one flows
        pending_.reset();
        move_to(from);
        spdlog::info("viewer h264 rendition={} stream={} peer={}: trying the full rendition again", to_string(current_),
                     source_->name(), peer_);
    }
    if (from != current_) return;
    const auto fell = units_.fell_behind();
    const bool waiting = units_.offer(unit);
    if (units_.fell_behind() != fell) {
        const bool probing = choice_.probing();
        choice_.fell_behind(now);
        waiting_kind_ = keyframe_requests::kind::resync;
        follow_choice(now, probing ? "the try failed: fell behind again" : "fell behind");
        if (current_ == from) request(waiting_kind_);  // it stayed: resynchronise here
        return;
    }
    if (waiting) request(waiting_kind_);
    choice_.on_unit(now);
    follow_choice(now, "probe");
}

void h264_delivery::follow_choice(std::chrono::steady_clock::time_point now, const char* why) {
    const auto want = choice_.current();
    if (want == current_) return cancel_probe();  // a probe that failed before it began
    frame_ptr latest;
    std::string refused;
    if (want == rendition::reduced) {
        // Its link cannot carry the full one: move at once (it waits for a keyframe anyway).
        if (!join(rendition::reduced, &latest, &refused)) return stay(now, refused);
        move_to(rendition::reduced);
        spdlog::info("viewer h264 rendition=reduced stream={} peer={}: {} on the full rendition; capped at {} kbit/s, "
                     "next try of the full one in {} s", source_->name(), peer_, why, state_.h264().settings().slow_link_kbps,
                     std::chrono::duration_cast<std::chrono::seconds>(choice_.wait()).count());
        request(waiting_kind_);
        units_.offer(fresh(latest));
        return;
    }
    if (pending_) return;  // already probing: waiting for the full rendition's keyframe
    if (!join(rendition::full, &latest, &refused)) return stay(now, refused);
    // No keyframe is asked for: a probe waits for the next periodic one (or the first of an
    // encoder it just started), so trying costs the full rendition's other viewers nothing.
    pending_ = rendition::full;
    take(rendition::full, fresh(latest), now);
}

std::string h264_delivery::restart() {
    units_.restart();
    waiting_kind_ = keyframe_requests::kind::join;
    request(waiting_kind_);
    return {};
}

std::string h264_delivery::set_paused(bool paused, const frame_ptr&) {
    cancel_probe();
    auto& m = members_[index(current_)];
    if (!m) return {};
    m->group->set_paused(paused);  // its encoder stops once no H.264 viewer wants pictures
    units_.restart();
    waiting_kind_ = keyframe_requests::kind::join;
    if (paused) return {};
    std::string why;
    if (!m->stream->start(&why)) return why;
    request(waiting_kind_);
    units_.offer(fresh(m->hub->latest()));
    return {};
}

void h264_delivery::close(bool paused) {
    cancel_probe();
    leave(current_, paused);
    state_.h264_closed();
}

}  // namespace wscam
