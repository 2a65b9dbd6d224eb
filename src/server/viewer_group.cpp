#include "server/viewer_group.hpp"

#include <algorithm>

#include "protocol/viewer_message.hpp"


namespace wscam {

net::io_context& io_context_of(tcp::socket& socket) {
    return static_cast<net::io_context&>(socket.get_executor().target<net::io_context::executor_type>()->context());
}

frame_ptr viewer_group::join(const std::shared_ptr<stream_viewer>& viewer) {
    members_.push_back(viewer);
    active_.fetch_add(1, std::memory_order_relaxed);
    if (members_.size() == 1) return hub_->subscribe(shared_from_this());  // tells of a removal itself
    if (auto why = hub_->removed(); !why.empty())  // the group heard it before this viewer came
        net::post(ioc_, [weak = std::weak_ptr<stream_viewer>(viewer), why] {
            if (auto v = weak.lock()) v->end_stream(why);
        });
    hub_->demand_changed();
    return hub_->latest();
}

void viewer_group::leave(const stream_viewer* viewer, bool paused) {
    const auto before = members_.size();
    std::erase_if(members_, [viewer](const auto& w) {
        const auto s = w.lock();
        return !s || s.get() == viewer;
    });
    if (members_.size() == before) return;  // not a member (already left)
    if (!paused) active_.fetch_sub(1, std::memory_order_relaxed);
    if (members_.empty()) hub_->unsubscribe(this);
}

void viewer_group::set_paused(bool paused) {
    if (paused) {
        active_.fetch_sub(1, std::memory_order_relaxed);
    } else {
        active_.fetch_add(1, std::memory_order_relaxed);
        hub_->demand_changed();  // a source waiting for viewers starts again
    }
}

template <class F>
void viewer_group::each(F&& f) {
    // A viewer may leave while it is handed something (a failed write): walk a copy.
    scratch_.clear();
    for (const auto& w : members_)
        if (auto s = w.lock()) scratch_.push_back(std::move(s));
    for (const auto& s : scratch_) f(*s);
    scratch_.clear();
}

void viewer_group::on_frame(frame_ptr f) {
    net::post(ioc_, [self = shared_from_this(), f = std::move(f)] {
        self->each([&](stream_viewer& v) { v.deliver(f); });
    });
}

void viewer_group::on_status(const stream_status& s) {
    net::post(ioc_, [self = shared_from_this(), s] { self->each([&](stream_viewer& v) { v.deliver_status(s); }); });
}

void viewer_group::on_control_changed(const std::string& id, double value) {
    net::post(ioc_, [self = shared_from_this(), id, value] {
        self->each([&](stream_viewer& v) { v.deliver_control(id, value); });
    });
}

void viewer_group::on_controls_update(const std::shared_ptr<const controls_update>& update) {
    net::post(ioc_, [self = shared_from_this(), message = update->message(&make_controls_message)] {
        self->each([&](stream_viewer& v) { v.deliver_controls(message); });
    });
}

}  // namespace wscam

namespace wscam {

void viewer_group::on_notice(const std::shared_ptr<const std::string>& message) {
    net::post(ioc_, [self = shared_from_this(), message] { self->each([&](stream_viewer& v) { v.deliver_notice(message); }); });
}

void viewer_group::on_removed(const std::string& reason) {
    net::post(ioc_, [self = shared_from_this(), reason] { self->each([&](stream_viewer& v) { v.end_stream(reason); }); });
}

}  // namespace wscam
