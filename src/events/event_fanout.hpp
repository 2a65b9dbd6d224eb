#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "events/motion_event.hpp"

namespace wscam::events {

/**
 * Where every stream's detection sends its notices: the outputs configured now (the store, the
 * recordings' clips, viewers, MQTT, webhooks, exec). The list is copied on write, so a notice is
 * delivered without a lock held and an output added or removed by a reload waits for nobody.
 */
class event_fanout {
public:
    void add(std::shared_ptr<event_output> out) {
        std::lock_guard lock(mutex_);
        auto next = std::make_shared<std::vector<std::shared_ptr<event_output>>>(*outputs_);
        next->push_back(std::move(out));
        outputs_ = std::move(next);
    }
    void remove(const event_output* out) {
        std::lock_guard lock(mutex_);
        auto next = std::make_shared<std::vector<std::shared_ptr<event_output>>>(*outputs_);
        std::erase_if(*next, [out](const auto& o) { return o.get() == out; });
        outputs_ = std::move(next);
    }
    /**
     * Hands `n` to every output, in the order they were added. An output that throws (out of
     * memory, say) is skipped, not the ones after it; the exception is logged once per call.
     */
    void deliver(const notice& n) const {
        std::shared_ptr<const std::vector<std::shared_ptr<event_output>>> list;
        {
            std::lock_guard lock(mutex_);
            list = outputs_;
        }
        std::string failed;
        for (const auto& o : *list) {
            try {
                o->deliver(n);
            } catch (const std::exception& e) {
                failed = e.what();
            }
        }
        if (!failed.empty()) throw std::runtime_error(failed);  // the caller logs it with the stream
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const std::vector<std::shared_ptr<event_output>>> outputs_ =
        std::make_shared<const std::vector<std::shared_ptr<event_output>>>();
};

}  // namespace wscam::events
