#include "server/client_limits.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace wscam {

std::string client_key(std::span<const unsigned char> b) {
    char out[64];
    if (b.size() == 16) {
        static constexpr unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (std::equal(b.begin(), b.begin() + 12, mapped)) b = b.subspan(12);
    }
    if (b.size() == 4) {
        std::snprintf(out, sizeof out, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
        return out;
    }
    if (b.size() != 16) return "?";
    std::snprintf(out, sizeof out, "%x:%x:%x:%x::/64", b[0] << 8 | b[1], b[2] << 8 | b[3], b[4] << 8 | b[5],
                  b[6] << 8 | b[7]);
    return out;
}

client_limits::ticket& client_limits::ticket::operator=(ticket&& o) noexcept {
    if (this != &o) {
        release();
        owner_ = std::exchange(o.owner_, nullptr);
        key_ = std::move(o.key_);
        why_ = o.why_;
    }
    return *this;
}

void client_limits::ticket::release() {
    if (!owner_) return;
    std::lock_guard lock(owner_->mutex_);
    --owner_->total_;
    auto it = owner_->per_address_.find(key_);
    if (it != owner_->per_address_.end() && --it->second == 0) owner_->per_address_.erase(it);
    owner_ = nullptr;
}

client_limits::ticket client_limits::admit(const std::string& key) {
    ticket t;
    t.key_ = key;
    std::lock_guard lock(mutex_);
    if (total_ >= settings_.max_connections) {
        t.why_ = refusal::server_full;
        return t;
    }
    auto& n = per_address_[key];
    if (settings_.max_per_address && n >= settings_.max_per_address) {
        if (n == 0) per_address_.erase(key);
        t.why_ = refusal::address_full;
        return t;
    }
    ++n;
    ++total_;
    t.owner_ = this;
    return t;
}

void client_limits::forget_stale(clock::time_point now) {
    std::erase_if(guesses_, [&](const auto& e) {
        return now >= e.second.blocked_until && now - e.second.window_start >= settings_.wrong_token_window;
    });
}

bool client_limits::wrong_token(const std::string& key, clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = guesses_.find(key);
    if (it == guesses_.end()) {
        if (guesses_.size() >= settings_.max_tracked) forget_stale(now);
        // Still full: the others are all fresh; this address is not tracked (documented limit).
        if (guesses_.size() >= settings_.max_tracked) return false;
        it = guesses_.emplace(key, guesses{now, 0, {}}).first;
    }
    auto& g = it->second;
    if (now < g.blocked_until) return false;  // already blocked; counted once
    if (now - g.window_start >= settings_.wrong_token_window) g = guesses{now, 0, {}};
    if (++g.count < settings_.max_wrong_tokens) return false;
    g.blocked_until = now + settings_.block;
    g.count = 0;
    g.window_start = g.blocked_until;
    return true;
}

client_limits::clock::duration client_limits::blocked_for(const std::string& key, clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto it = guesses_.find(key);
    if (it == guesses_.end() || now >= it->second.blocked_until) return clock::duration::zero();
    return it->second.blocked_until - now;
}

std::size_t client_limits::connections() const {
    std::lock_guard lock(mutex_);
    return total_;
}

std::size_t client_limits::connections_from(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = per_address_.find(key);
    return it == per_address_.end() ? 0 : it->second;
}

}  // namespace wscam
