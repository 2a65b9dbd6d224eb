#include "events/mqtt/mqtt_output.hpp"

#include <mosquitto.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace wscam::events {
namespace {

/** libmosquitto is initialised once per process, before the first client. */
void init_library() {
    static const int once = [] {
        mosquitto_lib_init();
        return 0;
    }();
    (void)once;
}

std::string why(int rc) { return mosquitto_strerror(rc); }

}  // namespace

mqtt_output::mqtt_output(mqtt_settings settings) : settings_(std::move(settings)) {
    init_library();
    const auto client_id = "wscam-" + topic_level(settings_.naming.node);
    mosq_ = mosquitto_new(client_id.c_str(), true, this);
    if (!mosq_) throw std::runtime_error("--mqtt: cannot make an MQTT client (out of memory)");
    try {
        const auto& u = settings_.url;
        if (!u.user.empty() && mosquitto_username_pw_set(mosq_, u.user.c_str(), u.password.empty() ? nullptr : u.password.c_str()) != MOSQ_ERR_SUCCESS)
            throw std::runtime_error("--mqtt: the user or password is not valid UTF-8");
        if (u.tls) {
            const char* ca = settings_.ca_file.empty() ? nullptr : settings_.ca_file.c_str();
            const int rc = mosquitto_tls_set(mosq_, ca, ca ? nullptr : "/etc/ssl/certs", nullptr, nullptr, nullptr);
            if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error("--mqtt-ca: " + why(rc) + " (" + settings_.ca_file + ")");
        }
        const std::string offline = "offline";
        const auto will = availability_topic(settings_.naming);
        if (const int rc = mosquitto_will_set(mosq_, will.c_str(), static_cast<int>(offline.size()), offline.data(), 1, true); rc != MOSQ_ERR_SUCCESS)
            throw std::runtime_error("--mqtt-topic: " + why(rc));
        mosquitto_connect_callback_set(mosq_, &mqtt_output::connected);
        mosquitto_disconnect_callback_set(mosq_, &mqtt_output::disconnected);
        mosquitto_publish_callback_set(mosq_, &mqtt_output::sent);
        // Our thread runs the loop: publish() from other threads only queues and wakes it.
        mosquitto_threaded_set(mosq_, true);
    } catch (...) {
        mosquitto_destroy(mosq_);
        throw;
    }
    spdlog::info("mqtt {}: connecting (topics under {}/, Home Assistant discovery {})", settings_.url.shown(), settings_.naming.base,
                 settings_.naming.discovery.empty() ? std::string("off") : "under " + settings_.naming.discovery + "/");
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

void mqtt_output::failed(int rc) {
    const std::string detail = rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : why(rc);
    std::lock_guard lock(mutex_);
    const bool was = std::exchange(connected_, false);
    if (stopping_ || rc == MOSQ_ERR_CONN_REFUSED) return;  // a refusal was said when the broker answered (connected())
    const auto reason = (was ? "the connection was lost: " : "cannot connect: ") + detail;
    if (was || reason != last_failure_) spdlog::warn("mqtt {}: {}; retrying with backoff", settings_.url.shown(), reason);
    last_failure_ = reason;
}

void mqtt_output::run(std::stop_token stop) {
    // Every failure (no route, a name that does not resolve, TLS, a refusal, a lost connection) is
    // retried: 1 s, doubling to 30 s; a connection that was accepted starts the wait again at 1 s.
    std::chrono::milliseconds wait{1000};
    bool first = true;
    std::mutex sleep_mutex;
    std::condition_variable_any sleeper;
    while (!stop.stop_requested()) {
        const auto& u = settings_.url;
        // Async: the TCP connect does not block (a stop never waits for a broker that does not
        // answer); only the name lookup may.
        int rc = first ? mosquitto_connect_async(mosq_, u.host.c_str(), u.port, 30) : mosquitto_reconnect_async(mosq_);
        first = false;
        if (rc == MOSQ_ERR_SUCCESS) {
            while (!stop.stop_requested() && (rc = mosquitto_loop(mosq_, 250, 1)) == MOSQ_ERR_SUCCESS) {
                if (ever_connected_now()) wait = std::chrono::milliseconds(1000);
            }
            if (stop.stop_requested()) break;
        }
        failed(rc);
        std::unique_lock lock(sleep_mutex);
        sleeper.wait_for(lock, stop, wait, [] { return false; });
        wait = std::min(wait * 2, std::chrono::milliseconds(30000));
    }
}

mqtt_output::~mqtt_output() {
    bool was_connected = false;
    {
        std::lock_guard lock(mutex_);
        was_connected = connected_;
        stopping_ = true;
    }
    if (was_connected) {
        const std::string offline = "offline";
        int mid = 0;
        mosquitto_publish(mosq_, &mid, availability_topic(settings_.naming).c_str(), static_cast<int>(offline.size()), offline.data(), 1, true);
        // Let it go out before the disconnect (at most 2 s).
        for (int i = 0; i < 40; ++i) {
            {
                std::lock_guard lock(mutex_);
                if (!unsent_.contains(mid) || !connected_) break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    mosquitto_disconnect(mosq_);
    thread_.request_stop();
    thread_ = {};  // joined: the loop returns within its 250 ms wait
    mosquitto_destroy(mosq_);
}

void mqtt_output::connected(struct mosquitto*, void* self, int rc) {
    auto* me = static_cast<mqtt_output*>(self);
    if (rc != 0) {
        std::lock_guard lock(me->mutex_);
        auto reason = "the broker refused: " + std::string(mosquitto_connack_string(rc));
        if (reason.ends_with('.')) reason.pop_back();
        if (reason != me->last_failure_) spdlog::error("mqtt {}: {}; retrying with backoff", me->settings_.url.shown(), reason);
        me->last_failure_ = reason;
        return;
    }
    {
        std::lock_guard lock(me->mutex_);
        me->connected_ = true;
        me->just_connected_ = true;
        me->last_failure_.clear();
        me->unsent_.clear();
        me->unsent_bytes_ = 0;
        me->early_.clear();
        spdlog::info("mqtt {}: connected{}", me->settings_.url.shown(), std::exchange(me->ever_connected_, true) ? " again" : "");
    }
    me->announce();
}

void mqtt_output::disconnected(struct mosquitto*, void* self, int) {
    // The loop's return says why (run()); here only the state, and the clean stop's line.
    auto* me = static_cast<mqtt_output*>(self);
    std::lock_guard lock(me->mutex_);
    if (me->stopping_ && std::exchange(me->connected_, false)) spdlog::info("mqtt {}: disconnected", me->settings_.url.shown());
}

bool mqtt_output::ever_connected_now() {
    std::lock_guard lock(mutex_);
    return std::exchange(just_connected_, false);
}

void mqtt_output::sent(struct mosquitto*, void* self, int mid) {
    auto* me = static_cast<mqtt_output*>(self);
    std::lock_guard lock(me->mutex_);
    if (const auto it = me->unsent_.find(mid); it != me->unsent_.end()) {
        me->unsent_bytes_ -= it->second;
        me->unsent_.erase(it);
    } else {
        me->early_.insert(mid);
    }
}

bool mqtt_output::publish(const std::string& topic, const void* payload, std::size_t size, bool retain) {
    {
        std::lock_guard lock(mutex_);
        if (!connected_ || unsent_.size() >= max_unsent || unsent_bytes_ + size > max_unsent_bytes) {
            ++dropped_;
            return false;
        }
    }
    // Never under our lock: libmosquitto may call sent() from inside publish (and its thread holds
    // its own locks while it calls us), so the id is recorded after, and one acknowledged before
    // that is known by early_.
    int mid = 0;
    // QoS 0: libmosquitto keeps QoS 1 messages the broker has not acknowledged across reconnects
    // and sends them again, so a broker that takes them and drops the connection each time made
    // that queue grow without bound (1 GB an hour, an attack review). At most once is enough:
    // each (re)connect publishes the state and snapshot again, retained.
    const int rc = mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(size), payload, 0, retain);
    std::lock_guard lock(mutex_);
    if (rc != MOSQ_ERR_SUCCESS) {
        ++dropped_;
        return false;
    }
    if (!early_.erase(mid)) {
        unsent_.emplace(mid, size);
        unsent_bytes_ += size;
    }
    ++published_;
    return true;
}

void mqtt_output::announce() {
    std::set<std::string> streams;
    std::map<std::string, bool> on;
    std::map<std::string, frame_ptr> snapshots;
    {
        std::lock_guard lock(mutex_);
        streams = streams_;
        on = on_;
        snapshots = snapshots_;
    }
    publish({availability_topic(settings_.naming), "online", true});
    for (const auto& s : streams) {
        for (const auto& m : discovery_messages(settings_.naming, s)) publish(m);
        publish(state_message(settings_.naming, s, on[s]));
        if (const auto& jpeg = snapshots[s]) publish(snapshot_topic(settings_.naming, s), jpeg->jpeg().data(), jpeg->jpeg().size(), true);
    }
}

void mqtt_output::set_streams(const std::vector<std::string>& streams) {
    std::set<std::string> now(streams.begin(), streams.end()), gone, added;
    {
        std::lock_guard lock(mutex_);
        for (const auto& s : streams_)
            if (!now.contains(s)) gone.insert(s);
        for (const auto& s : now)
            if (!streams_.contains(s)) added.insert(s);
        streams_ = now;
        for (const auto& s : gone) {
            on_.erase(s);
            snapshots_.erase(s);
        }
    }
    for (const auto& s : gone)
        for (const auto& m : discovery_removal(settings_.naming, s)) publish(m);
    for (const auto& s : added) {
        for (const auto& m : discovery_messages(settings_.naming, s)) publish(m);
        publish(state_message(settings_.naming, s, false));
    }
}

void mqtt_output::deliver(const notice& n) {
    const bool on = n.change == change::started;
    {
        std::lock_guard lock(mutex_);
        on_[n.event.stream] = on;
        if (n.snapshot) snapshots_[n.event.stream] = n.snapshot;
    }
    // The picture first: an automation that fires on ON finds the snapshot of this event.
    if (n.snapshot) publish(snapshot_topic(settings_.naming, n.event.stream), n.snapshot->jpeg().data(), n.snapshot->jpeg().size(), true);
    publish(state_message(settings_.naming, n.event.stream, on));
    publish(event_message(settings_.naming, n));
}

mqtt_stats mqtt_output::stats() const {
    std::lock_guard lock(mutex_);
    return {connected_, published_, dropped_};
}

}  // namespace wscam::events
