#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "events/motion_event.hpp"
#include "events/mqtt/mqtt_messages.hpp"
#include "events/mqtt/mqtt_url.hpp"

struct mosquitto;

namespace wscam::events {

/** `--mqtt` and its options. */
struct mqtt_settings {
    mqtt_url url;
    mqtt_naming naming;
    std::string ca_file;  // --mqtt-ca: the CA that signed an mqtts:// broker's certificate (else the system's)
};

/** What the MQTT output did, for /metrics. */
struct mqtt_stats {
    bool connected = false;
    std::uint64_t published = 0;
    std::uint64_t dropped = 0;  // not sent: not connected, or too many still unsent
};

/**
 * Events to an MQTT broker with libmosquitto (docs/PROTOCOL.md, "MQTT"): each notice becomes the
 * stream's state (ON/OFF), its event JSON and, with a snapshot, its retained picture. libmosquitto's
 * loop runs on a thread of the output's own, which connects, reconnects with backoff (1 s doubling
 * to 30 s) and writes, so a broker that is down or slow never delays detection: deliver() only
 * hands messages over, and at most 64 (16 MiB) wait unsent (QoS 0: until written to the socket); more are
 * dropped and counted, and nothing is kept for a broker while disconnected but each stream's
 * state and newest snapshot.
 *
 * While disconnected the output keeps each stream's state and newest snapshot; on every connect
 * it says "online" (the last will says "offline"), publishes Home Assistant's discovery configs
 * for the streams that detect, their state and their snapshot. Credentials go to libmosquitto only:
 * logs show the URL with its password as ***.
 */
class mqtt_output : public event_output {
public:
    explicit mqtt_output(mqtt_settings settings);
    ~mqtt_output() override;  // "offline", then a clean disconnect (at most 2 s)
    mqtt_output(const mqtt_output&) = delete;
    mqtt_output& operator=(const mqtt_output&) = delete;

    void deliver(const notice& n) override;
    /** The streams that detect now: discovery for them (state OFF until told), removal for the ones that stopped. */
    void set_streams(const std::vector<std::string>& streams);
    mqtt_stats stats() const;

    static constexpr std::size_t max_unsent = 64;
    static constexpr std::size_t max_unsent_bytes = 16 << 20;  // snapshots are a camera's JPEGs (up to --max-frame-bytes)

private:
    static void connected(struct mosquitto* m, void* self, int rc);
    static void disconnected(struct mosquitto* m, void* self, int rc);
    static void sent(struct mosquitto* m, void* self, int mid);
    void announce();
    void run(std::stop_token stop);           // the loop: connect, read and write, reconnect with backoff
    void failed(int rc);                      // the loop ended with `rc`: logged once per change of reason
    bool ever_connected_now();                // a CONNACK came since the last call  // on each connect: availability, discovery, states, snapshots
    bool publish(const std::string& topic, const void* payload, std::size_t size, bool retain);
    bool publish(const mqtt_message& m) { return publish(m.topic, m.payload.data(), m.payload.size(), m.retain); }

    mqtt_settings settings_;
    struct mosquitto* mosq_ = nullptr;
    mutable std::mutex mutex_;
    std::set<std::string> streams_;                 // detecting now
    std::map<std::string, bool> on_;                // each stream's state
    std::map<std::string, frame_ptr> snapshots_;    // each stream's newest snapshot
    bool connected_ = false;
    bool ever_connected_ = false;
    bool stopping_ = false;
    bool just_connected_ = false;
    std::string last_failure_;
    std::map<int, std::size_t> unsent_;             // message ids not written yet, and their sizes
    std::size_t unsent_bytes_ = 0;
    std::set<int> early_;                           // ids taken before publish() recorded them
    std::uint64_t published_ = 0, dropped_ = 0;
    std::jthread thread_;  // last: it uses everything above
};

}  // namespace wscam::events
