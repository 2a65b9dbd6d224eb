#include "cluster/mailbox.hpp"

namespace wscam::cluster {

void mailbox::wake(bool announce) {
    push([&] {
        next_.announce_asked = next_.announce_asked || announce;
        return true;
    });
}

bool mailbox::post(std::function<void()> job, std::size_t bytes) {
    return push([&] {
        if (next_.jobs.size() >= max_queued || job_bytes_ + bytes > max_queued_bytes) return false;
        next_.jobs.push_back(std::move(job));
        job_bytes_ += bytes;
        return true;
    });
}

bool mailbox::send(outgoing m) {
    return push([&] {
        if (outgoing_.size() >= max_queued || outgoing_bytes_ + m.text.size() > max_queued_bytes) return false;
        outgoing_bytes_ += m.text.size();
        outgoing_.push_back(std::move(m));
        return true;
    });
}

bool mailbox::deliver(announce a) {
    return push([&] {
        if (next_.announces.size() >= max_queued_announces) return false;
        next_.announces.push_back(std::move(a));
        return true;
    });
}

void mailbox::link_changed(bool up) {
    push([&] {
        next_.link_events.push_back(up);
        return true;
    });
}

std::optional<mailbox::batch> mailbox::wait(clock::time_point until) {
    std::unique_lock lock(mutex_);
    cv_.wait_until(lock, until, [&] { return woken_ || stopped_; });
    if (stopped_) return std::nullopt;
    woken_ = false;
    job_bytes_ = 0;
    return std::exchange(next_, {});
}

std::vector<mailbox::outgoing> mailbox::take_outgoing() {
    std::lock_guard lock(mutex_);
    outgoing_bytes_ = 0;
    return std::exchange(outgoing_, {});
}

void mailbox::stop() {
    stop_requested_ = true;
    {
        std::lock_guard lock(mutex_);
        stopped_ = true;
    }
    cv_.notify_one();
}

}  // namespace wscam::cluster
