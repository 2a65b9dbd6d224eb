#include "cluster/loopback_transport.hpp"

namespace wscam::cluster {

bool subject_matches(std::string_view pattern, std::string_view subject) {
    for (;;) {
        const auto p_end = pattern.find('.');
        const auto s_end = subject.find('.');
        const auto p = pattern.substr(0, p_end);
        const auto s = subject.substr(0, s_end);
        if (p == ">") return !s.empty();
        if (s.empty() || (p != "*" && p != s)) return false;
        if (p_end == std::string_view::npos || s_end == std::string_view::npos) return p_end == s_end;
        pattern.remove_prefix(p_end + 1);
        subject.remove_prefix(s_end + 1);
    }
}

class loopback_transport::loopback_subscription final : public transport::subscription {
public:
    loopback_subscription(loopback_transport& t, std::uint64_t id) : t_(t), id_(id) {}
    ~loopback_subscription() override {
        std::lock_guard lock(t_.mutex_);
        t_.subscriptions_.erase(id_);
    }

private:
    loopback_transport& t_;
    std::uint64_t id_;
};

std::size_t loopback_transport::deliver(const message& m) {
    std::vector<std::shared_ptr<std::function<void(const incoming&)>>> handlers;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, e] : subscriptions_)
            if (subject_matches(e.subject, m.subject)) handlers.push_back(e.handler);
    }
    const incoming in{m.subject, m.reply, m.data, m.node, m.epoch};
    for (const auto& h : handlers) (*h)(in);  // outside the lock: a handler may subscribe or publish
    return handlers.size();
}

std::vector<loopback_transport::message> loopback_transport::published() const {
    std::lock_guard lock(mutex_);
    return published_;
}

std::vector<loopback_transport::message> loopback_transport::take_published() {
    std::lock_guard lock(mutex_);
    return std::exchange(published_, {});
}

transport::sent loopback_transport::do_publish(const std::string& subject, std::span<const std::uint8_t> data,
                                               std::string_view node, std::string_view epoch, const std::string& reply) {
    if (static_cast<std::int64_t>(data.size()) > max_payload()) return sent::too_large;
    std::lock_guard lock(mutex_);
    if (published_.size() >= max_kept) published_.erase(published_.begin());
    published_.push_back({subject, reply, std::string(node), node.empty() ? std::string() : std::string(epoch),
                     {data.begin(), data.end()}});
    return sent::ok;
}

std::unique_ptr<transport::subscription> loopback_transport::do_subscribe(
    const std::string& subject, std::function<void(const incoming&)> handler, int, std::string*, std::int64_t) {
    std::lock_guard lock(mutex_);
    const auto id = next_id_++;
    subscriptions_.emplace(id, entry{subject, std::make_shared<std::function<void(const incoming&)>>(std::move(handler))});
    return std::make_unique<loopback_subscription>(*this, id);
}

}  // namespace wscam::cluster
