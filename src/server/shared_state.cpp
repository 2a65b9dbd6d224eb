#include "server/shared_state.hpp"

#include "server/tls/certificate_store.hpp"
#include "server/viewer_group.hpp"
#include "mse/fmp4_renditions.hpp"
#include "transcode/h264_streams.hpp"

#include <vector>

namespace wscam {
namespace {

// Exports and decoded pictures: two at a time (a 2-core machine keeps its cores for the live
// streams), eight more may wait; beyond that a client is told to try again.
constexpr std::size_t blocking_threads = 2;
constexpr std::size_t blocking_waiting = 8;

}  // namespace

shared_state::shared_state(server_config config, std::shared_ptr<stream_registry> streams)
    : config_(std::move(config)),
      access_(std::make_shared<const stream_access_table>(stream_access_table::from(config_))),
      streams_(std::move(streams)), groups_(std::make_unique<viewer_group_registry>()),
      h264_(std::make_unique<h264_streams>(config_.h264, config_.h264_max_streams)),
      fmp4_(std::make_unique<mse::fmp4_renditions>(*h264_)),
      blocking_(std::make_unique<blocking_work>(blocking_threads, blocking_waiting)),
      limits_(client_limits::settings{.max_connections = config_.max_connections,
                                      .max_per_address = config_.max_connections_per_ip}) {
    certificate_names_changed();
}

bool shared_state::take_slow_slot(const std::string& client_key) {
    std::lock_guard lock(slow_mutex_);
    if (slow_total_ >= slow_in_flight) return false;
    auto& n = slow_slots_[client_key];
    if (n >= slow_per_address) return false;
    ++n;
    ++slow_total_;
    return true;
}

void shared_state::give_slow_slot(const std::string& client_key) {
    std::lock_guard lock(slow_mutex_);
    const auto it = slow_slots_.find(client_key);
    if (it == slow_slots_.end()) return;
    --slow_total_;
    if (--it->second <= 0) slow_slots_.erase(it);
}

void shared_state::set_tls(std::unique_ptr<tls::certificate_store> store) {
    tls_ = std::move(store);
    certificate_names_changed();
}

std::shared_ptr<const host_allow_list> shared_state::hosts() const {
    std::lock_guard lock(access_mutex_);
    return hosts_;
}

void shared_state::certificate_names_changed() {
    std::vector<std::string> names = config_.allowed_hosts;
    for (auto& n : machine_names()) names.push_back(std::move(n));
    if (tls_)
        for (auto& n : tls_->summary().dns_names) names.push_back(std::move(n));
    auto next = std::make_shared<const host_allow_list>(names);
    std::lock_guard lock(access_mutex_);
    hosts_ = std::move(next);
}

shared_state::~shared_state() = default;

std::shared_ptr<const stream_access_table> shared_state::access() const {
    std::lock_guard lock(access_mutex_);
    return access_;
}

void shared_state::set_access(stream_access_table table) {
    std::lock_guard lock(access_mutex_);
    if (access_) table.relayed = access_->relayed;  // the cluster's part: a reload does not know it
    access_ = std::make_shared<const stream_access_table>(std::move(table));
}

void shared_state::set_relayed_access(const std::string& stream, std::optional<relayed_access> access) {
    std::lock_guard lock(access_mutex_);
    auto next = access_ ? *access_ : stream_access_table{};
    if (access)
        next.relayed[stream] = std::move(*access);
    else
        next.relayed.erase(stream);
    access_ = std::make_shared<const stream_access_table>(std::move(next));
}

bool shared_state::join(const std::shared_ptr<closable>& c) {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;  // the caps are client_limits', checked when the connection is accepted
    connections_.emplace(c.get(), c);
    return true;
}

void shared_state::leave(const closable* c) {
    std::lock_guard lock(mutex_);
    if (connections_.erase(c)) closed_.fetch_add(1, std::memory_order_relaxed);
}

void shared_state::shutdown_all() {
    std::vector<std::shared_ptr<closable>> open;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        for (auto& [_, weak] : connections_)
            if (auto c = weak.lock()) open.push_back(std::move(c));
    }
    // Outside the lock: shutdown() may end in leave().
    for (auto& c : open) c->shutdown();
}

std::size_t shared_state::connection_count() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

server_stats shared_state::stats() const {
    return {connection_count(), viewers_.load(),       frames_sent_.load(), frames_dropped_.load(),
            mjpeg_readers_.load(), h264_viewers_.load(), h264_->running()};
}

void shared_state::set_recordings_home(recordings_home_fn f) {
    std::lock_guard lock(home_mutex_);
    recordings_home_ = std::move(f);
}

std::optional<std::pair<std::string, std::string>> shared_state::recordings_home(const std::string& stream) const {
    recordings_home_fn f;
    {
        std::lock_guard lock(home_mutex_);
        f = recordings_home_;
    }
    return f ? f(stream) : std::nullopt;
}

void shared_state::set_recordings(std::shared_ptr<record::recordings> r) {
    recordings_ = std::move(r);
    recording_of_ = [weak = std::weak_ptr(recordings_)](const std::string& name) {
        const auto recs = weak.lock();
        return recs ? recs->stats(name) : std::nullopt;
    };
}

}  // namespace wscam
