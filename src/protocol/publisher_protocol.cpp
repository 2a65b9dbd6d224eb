#include "protocol/publisher_protocol.hpp"

#include <variant>

namespace wscam {

std::vector<control_info> publisher_controls::controls() const {
    std::lock_guard lock(mutex_);
    return list_;
}

void publisher_controls::set_control(const std::string& id, double value, control_callback done) {
    // From a viewer's thread: the request goes out on the publisher's own thread.
    auto job = [weak = weak_from_this(), who = std::string(answerer()), id, value, done] {
        auto self = weak.lock();
        if (!self || self->closed_) return done(control_result::failed(who + " disconnected"));
        self->waiting_[id].push_back({done, std::chrono::steady_clock::now() + self->timeout()});
        self->send_(make_publisher_control_message(id, value));
    };
    if (!post_(std::move(job))) done(control_result::failed(std::string(answerer()) + " disconnected"));
}

void publisher_controls::set_list(std::vector<control_info> list) {
    std::lock_guard lock(mutex_);
    list_ = std::move(list);
}

bool publisher_controls::on_changed(const std::string& id, double value, std::vector<control_callback>& answered) {
    bool differs = false;
    {
        std::lock_guard lock(mutex_);
        for (auto& c : list_)
            if (c.id == id) {
                differs = c.value != value;
                c.value = value;
            }
    }
    if (auto it = waiting_.find(id); it != waiting_.end()) {
        for (auto& w : it->second) answered.push_back(std::move(w.done));
        waiting_.erase(it);
    }
    return differs;
}

void publisher_controls::on_error(const std::string& id, const std::string& reason) {
    auto it = waiting_.find(id);
    if (it == waiting_.end()) return;
    auto waiting = std::move(it->second);
    waiting_.erase(it);
    // A relayed refusal is the owner's own answer and already names the control and who refused.
    for (auto& w : waiting) w.done(control_result::failed(relayed_ ? reason : id + ": the camera refused it: " + reason));
}

void publisher_controls::expire(std::chrono::steady_clock::time_point now) {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        auto& list = it->second;
        for (auto w = list.begin(); w != list.end();) {
            if (w->deadline > now) {
                ++w;
                continue;
            }
            auto done = std::move(w->done);
            w = list.erase(w);
            done(control_result::failed(it->first + ": " + answerer() + " did not answer within " +
                                        std::to_string(timeout().count()) + " s"));
        }
        it = list.empty() ? waiting_.erase(it) : std::next(it);
    }
}

void publisher_controls::close(const std::string& why) {
    closed_ = true;
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& [id, list] : waiting)
        for (auto& w : list) w.done(control_result::failed(id + ": " + why));
}

publisher_protocol::publisher_protocol(std::shared_ptr<stream> hub, publisher_controls::post_fn post,
                                       publisher_controls::send_fn send, bool relayed)
    : hub_(std::move(hub)), controls_(std::make_shared<publisher_controls>(std::move(post), std::move(send), relayed)) {}

std::string publisher_protocol::on_message(publisher_message message) {
    if (auto* hello = std::get_if<publisher_hello>(&message)) {
        controls_->set_list(std::move(hello->controls));
        if (!offered_) {
            offered_ = true;
            hub_->set_controllable(controls_);  // tells every viewer the new list
        } else {
            hub_->controls_changed();
        }
    } else if (const auto* changed = std::get_if<publisher_control_changed>(&message)) {
        std::vector<control_callback> answered;
        const bool differs = controls_->on_changed(changed->id, changed->value, answered);
        if (!answered.empty()) {
            // The answer to viewers' requests: the hub tells every viewer the value in effect.
            for (auto& done : answered) done(control_result::applied(changed->value));
        } else if (differs) {
            hub_->control_changed(changed->id, changed->value);  // changed on the camera itself
        }
    } else if (const auto* error = std::get_if<publisher_error>(&message)) {
        controls_->on_error(error->id, error->reason);
    } else if (const auto* status = std::get_if<publisher_status_text>(&message)) {
        auto s = hub_->status();
        s.message = status->text;  // the hub sanitises and bounds it
        hub_->set_status(s);
    } else if (const auto* bad = std::get_if<publisher_invalid>(&message)) {
        return bad->reason;
    }
    return {};
}

void publisher_protocol::close() {
    controls_->close(std::string(controls_->answerer()) + " disconnected");
    if (offered_) hub_->clear_controllable(controls_.get());
}

}  // namespace wscam
