#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <string>

namespace wscam {

/**
 * The texts waiting to be written to one viewer, bounded. What matters is never crowded out
 * by what repeats: a newer list of controls replaces a queued one, a newer control_changed for
 * the same control replaces the queued one in place, and when the outbox is full it is the
 * oldest reply (pong, error) that goes. So a flood of control changes or pings cannot make a
 * viewer miss that its camera went offline.
 *
 * Statuses are keyed by their state ("online", "offline"): a newer status replaces a queued one
 * of the same state, and a change of state is queued behind it, so the last change is never
 * lost (a source restarted faster than the viewer reads is still seen going offline and back);
 * at most two statuses wait, the state before the last change and the newest.
 *
 * Texts are shared and immutable: a list of controls written once for a stream is queued by
 * every viewer without a copy.
 */
class viewer_outbox {
public:
    enum class kind { hello, status, controls, control, reply, event };

    using text = std::shared_ptr<const std::string>;

    explicit viewer_outbox(std::size_t capacity = 32) : capacity_(capacity) {}

    /**
     * Queues `t`; `key` names the control for kind::control, the state for kind::status, the
     * event for kind::event (a newer message of the same event replaces the queued one: its end
     * replaces its start, so a viewer never misses that an event ended).
     */
    void push(kind k, text t, const std::string& key = {});
    void push(kind k, std::string t, const std::string& key = {}) {
        push(k, std::make_shared<const std::string>(std::move(t)), key);
    }
    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    /** Takes the oldest text. */
    text pop();
    /** Texts dropped because the outbox was full. */
    std::size_t dropped() const { return dropped_; }

private:
    /** Replaces a queued status of `state` with `text` (true), or makes way for it to queue. */
    bool replace_status(text& t, const std::string& state);

    struct item {
        kind k;
        std::string key;
        text t;
    };
    std::size_t capacity_;
    std::deque<item> items_;
    std::size_t dropped_ = 0;
};

}  // namespace wscam
