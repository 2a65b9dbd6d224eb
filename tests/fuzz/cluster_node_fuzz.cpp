// libFuzzer target: everything a NATS peer can send to a node, end to end through a real
// cluster_node (its mailbox, its cluster thread, its remote streams, its control relay), over a
// loopback_transport. The input is a run of messages; each is delivered as nats.c would deliver
// it, and the node's thread has handled it before the next (cluster_node::sync). Viewers watch
// every remote stream that appears (so frames are subscribed and relayed), and ask its owner for
// a control change. What the node answers is read back: every announce it sends parses, every
// controls message and answer is valid publisher text, and the registry stays within its bounds.
//
// Input: records of [kind][who][stream][length: 2 bytes][payload]; who picks the node and epoch
// headers (owner A's run 1, a stranger, this node's own run, none, A with a huge epoch), stream
// the subject's stream.
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cluster/cluster_node.hpp"
#include "cluster/loopback_transport.hpp"
#include "cluster/messages.hpp"
#include "cluster/subjects.hpp"
#include "core/controls.hpp"
#include "core/stream.hpp"
#include "protocol/publisher_message.hpp"

namespace {

using namespace wscam;
using namespace wscam::cluster;

/** A viewer of a remote stream: counts its frames and holds nothing. */
struct viewer_sink : frame_sink {
    void on_frame(frame_ptr f) override {
        if (!f || f->jpeg().size() < 4) __builtin_trap();  // the feed passes only checked JPEGs
    }
    void on_status(const stream_status&) override {}
};

/** The local camera's controls: brightness only, applied at once. */
struct camera_controls : controllable {
    std::vector<control_info> controls() const override { return {{"brightness", "Brightness", "int", -2, 2, 1, 0, {}}}; }
    void set_control(const std::string&, double value, control_callback done) override {
        done(control_result::applied(value));
    }
};

const char* const nodes[] = {"A", "B", "self", "", "A"};
const char* const epochs[] = {"1", "2", "(this run)", "", "18446744073709551615"};
const char* const streams[] = {"cam", "yard", "door", "x.y", ""};

void check_published(const std::vector<loopback_transport::message>& sent) {
    const subjects names;
    for (const auto& m : sent) {
        const std::string_view text(reinterpret_cast<const char*>(m.data.data()), m.data.size());
        if (m.subject == names.announce()) {
            if (!parse_announce(text)) __builtin_trap();  // what this node says, the others read
        } else if (names.stream_of(m.subject, "controls") || m.subject.starts_with("_INBOX.")) {
            // The owner's controls list, a change, or an answer: publisher text, never a status.
            if (std::holds_alternative<publisher_status_text>(parse_publisher_text(text))) __builtin_trap();
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto registry = std::make_shared<stream_registry>();
    auto cam = registry->add("cam");
    cam->set_controllable(std::make_shared<camera_controls>());
    loopback_transport* wire = nullptr;
    node_options o;
    o.node = "self";
    o.max_frame_bytes = 64 * 1024;
    o.max_frame_pixels = 1'000'000;
    o.limits.max_nodes = 4;
    o.limits.max_remote_streams = 8;
    o.make_transport = [&wire](transport::events) {
        auto t = std::make_unique<loopback_transport>();
        wire = t.get();
        return t;
    };
    cluster_node node(o, registry);
    node.start();
    node.set_local_streams({cam});
    if (!node.sync()) __builtin_trap();
    std::string own_epoch;  // a request must name this run of the node to be applied
    for (const auto& m : wire->published())
        if (const auto a = parse_announce({reinterpret_cast<const char*>(m.data.data()), m.data.size()}))
            own_epoch = std::to_string(a->epoch);
    std::map<std::string, std::shared_ptr<viewer_sink>> viewers;
    const subjects names;

    while (size >= 5) {
        const auto kind = data[0] % 5, who = data[1] % 5;
        const std::string stream = streams[data[2] % 5];
        const std::size_t length = std::min<std::size_t>(size - 5, data[3] | (data[4] << 8));
        loopback_transport::message m;
        m.node = nodes[who];
        m.epoch = m.node.empty() ? "" : who == 2 ? own_epoch : epochs[who];
        m.data.assign(data + 5, data + 5 + length);
        data += 5 + length;
        size -= 5 + length;
        switch (kind) {
        case 0: m.subject = names.announce(); break;
        case 1: m.subject = names.frame(stream); break;
        case 2:
            m.subject = names.control(stream);
            m.reply = "_INBOX.peer.control." + escape_token(stream);
            break;
        case 3: m.subject = names.controls(stream); break;
        case 4: m.subject = "_INBOX.loopback.control." + escape_token(stream); break;
        }
        wire->deliver(m);
        if (!node.sync()) __builtin_trap();  // the node's thread must not hang on anything a peer sends
        // A viewer on every remote stream, asking its owner for a change.
        for (const auto& hub : registry->all()) {
            if (hub->name() == "cam" || viewers.contains(hub->name())) continue;
            auto v = std::make_shared<viewer_sink>();
            hub->subscribe(v);
            viewers.emplace(hub->name(), v);
            hub->set_control("brightness", 1, [](const control_result&) {});
        }
        if (!node.sync()) __builtin_trap();
    }
    if (registry->all().size() > 1 + o.limits.max_remote_streams) __builtin_trap();
    check_published(wire->published());
    for (const auto& [name, v] : viewers)
        if (auto hub = registry->find(name)) hub->unsubscribe(v.get());
    node.stop();
    return 0;
}
