#include "protocol/viewer_outbox.hpp"

#include <algorithm>

namespace wscam {

bool viewer_outbox::replace_status(text& t, const std::string& state) {
    const auto is_status = [](const item& i) { return i.k == kind::status; };
    const auto last = std::find_if(items_.rbegin(), items_.rend(), is_status);
    if (last != items_.rend() && last->key == state) {
        last->t = std::move(t);  // the same state, newer words
        return true;
    }
    // A change of state: it queues behind the state it ends; a third status drops the oldest.
    if (std::count_if(items_.begin(), items_.end(), is_status) == 2)
        items_.erase(std::find_if(items_.begin(), items_.end(), is_status));
    return false;
}

void viewer_outbox::push(kind k, text t, const std::string& key) {
    if (k == kind::status && replace_status(t, key)) return;
    if (k == kind::controls || k == kind::control || k == kind::event) {
        // A newer list of controls (or value of the same control, or word of the same event) supersedes the queued one.
        auto same = std::find_if(items_.begin(), items_.end(), [&](const item& i) {
            return i.k == k && (k == kind::controls || i.key == key);
        });
        if (same != items_.end()) {
            same->t = std::move(t);
            return;
        }
    }
    if (items_.size() >= capacity_) {
        // Full: the oldest reply goes; failing that, the oldest control value (its control is
        // re-sent with every later change), then the oldest event's word; a hello, status or
        // list of controls is never dropped.
        auto victim = std::find_if(items_.begin(), items_.end(), [](const item& i) { return i.k == kind::reply; });
        if (victim == items_.end())
            victim = std::find_if(items_.begin(), items_.end(), [](const item& i) { return i.k == kind::control; });
        if (victim == items_.end())
            victim = std::find_if(items_.begin(), items_.end(), [](const item& i) { return i.k == kind::event; });
        if (victim == items_.end() || (k == kind::reply && victim->k != kind::reply)) {
            ++dropped_;  // nothing less important queued than this reply: drop the reply itself
            return;
        }
        items_.erase(victim);
        ++dropped_;
    }
    items_.push_back({k, key, std::move(t)});
}

viewer_outbox::text viewer_outbox::pop() {
    text t = std::move(items_.front().t);
    items_.pop_front();
    return t;
}

}  // namespace wscam
