#include "core/publish_gate.hpp"

namespace wscam {

bool token_matches(std::string_view expected, std::string_view given) {
    if (expected.empty()) return true;
    unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < expected.size(); ++i)
        diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
    return diff == 0;
}

bool publish_gate::token_ok(std::string_view given) const { return token_matches(token_, given); }

std::string publish_gate::claim(const std::shared_ptr<publisher>& p) {
    std::shared_ptr<publisher> previous;
    {
        std::lock_guard lock(mutex_);
        if (!closed_.empty()) return closed_;
        previous = current_.lock();
        if (previous && !takeover_) return "stream already has a publisher";
        current_ = p;
        current_id_ = p.get();
    }
    if (previous) previous->kick("replaced by a new publisher");
    return {};
}

bool publish_gate::release(const publisher* p) {
    std::lock_guard lock(mutex_);
    if (current_id_ != p) return false;
    current_.reset();
    current_id_ = nullptr;
    return true;
}

void publish_gate::close(const std::string& reason) {
    std::shared_ptr<publisher> current;
    {
        std::lock_guard lock(mutex_);
        closed_ = reason.empty() ? "stream stopped" : reason;
        current = current_.lock();
        current_.reset();
        current_id_ = nullptr;
    }
    if (current) current->kick(closed_);
}

bool publish_gate::has_publisher() const {
    std::lock_guard lock(mutex_);
    return !current_.expired();
}

}  // namespace wscam
