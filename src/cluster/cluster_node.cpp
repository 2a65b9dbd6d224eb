#include "cluster/cluster_node.hpp"

#include <spdlog/spdlog.h>

#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "cluster/control_relay.hpp"
#include "cluster/local_streams.hpp"
#include "cluster/mailbox.hpp"
#include "cluster/messages.hpp"
#include "cluster/remote_streams.hpp"
#include "cluster/nats_link.hpp"
#include "cluster/stream_bridges.hpp"
#include "cluster/subjects.hpp"
#include "core/rate_limit.hpp"
#include "core/command_words.hpp"
#include "protocol/publisher_message.hpp"
#include "protocol/publisher_protocol.hpp"

namespace wscam::cluster {
namespace {

constexpr auto tick_every = std::chrono::milliseconds(250);
constexpr auto min_announce_gap = std::chrono::milliseconds(100);  // at most 10 announces a second
// What nats.c may hold for the other subscriptions before it drops (a flood waits there, not in us).
constexpr int message_queue = 256;
constexpr std::int64_t message_queue_bytes = 16 * 1024 * 1024;

}  // namespace

struct cluster_node::impl : std::enable_shared_from_this<impl> {
    impl(node_options o, std::shared_ptr<stream_registry> r)
        : options(std::move(o)), registry(std::move(r)), epoch(static_cast<std::uint64_t>(unix_now_us())),
          epoch_text(std::to_string(epoch)), state(options.node, epoch, options.times, options.limits) {
        state.set_url(options.url);
    }

    // --- on nats.c's threads
    void on_announce_message(const incoming& in) {
        std::string error;
        auto a = parse_announce({reinterpret_cast<const char*>(in.data.data()), in.data.size()}, &error);
        if (!a) {
            std::uint64_t suppressed = 0;
            std::lock_guard lock(announce_log_mutex);
            if (announce_log.allow(rate_limit::clock::now(), suppressed))
                spdlog::warn("cluster: announce refused: {}", error);
            return;
        }
        box->deliver(std::move(*a));  // a node announces once a second; a flood loses its newest
    }
    /** Owner: a relay's viewer changes a control of one of our streams. */
    void on_control_request(const incoming& in) {
        auto r = relay->admit_request(in);
        if (!r) return;
        const auto size = r->text.size();
        if (!box->post([this, r = std::move(*r)] { answer_control(r); }, size)) relay->busy();
    }
    /** Relay: the owner's controls list and changes (`reply`: its answer to one of our requests). */
    void on_owner_controls(const incoming& in, bool reply) {
        auto m = relay->admit_owner_message(in, reply);
        if (!m) return;
        const auto size = m->text.size();
        if (!box->post([this, m = std::move(*m)] { relay_controls(m); }, size)) relay->busy();
    }

    // --- the cluster thread
    void run() {
        thread_started = clock::now();
        auto next_tick = clock::now();
        auto last_announce = clock::time_point{};
        bool announce_pending = false;  // wanted, held back by the rate limit
        for (;;) {
            const auto until = announce_pending ? std::min(next_tick, last_announce + min_announce_gap) : next_tick;
            auto got = box->wait(until);
            if (!got) return;
            const auto now = clock::now();
            actions todo;
            {
                std::lock_guard lock(mutex);
                for (bool up : got->link_events) {
                    if (up && joined == clock::time_point{}) joined = now;
                    merge(todo, state.on_link(up, now));
                }
                for (const auto& a : got->announces) {
                    if (box->stopping()) break;  // SIGTERM does not wait for a flood
                    merge(todo, state.on_announce(a, now));
                }
                if (now >= next_tick) {
                    merge(todo, state.tick(now));
                    next_tick = now + tick_every;
                    report_connection_error();
                }
                // Viewers here of each remote stream: a new one wakes us (the hub's watch), one
                // leaving is seen by the tick.
                for (const auto& [name, viewers] : remotes->viewer_counts())
                    merge(todo, state.set_local_viewers(name, viewers, now));
                remotes->apply(todo, state, *link);
                // Interest of the other nodes in our streams: the local hubs count it as viewers.
                locals.set_interest([&](const std::string& name) { return state.remote_interest(name); });
                // A node that starts watching gets the newest frame and the whole controls list.
                for (const auto& name : todo.new_watchers)
                    if (const auto controls = locals.new_watcher(name))
                        box->send({subjects_.controls(name), make_publisher_hello_message(*controls)});
                for (auto& job : got->jobs) {
                    if (box->stopping()) break;  // SIGTERM does not wait for a backlog
                    job();
                }
                remotes->expire(now);
            }
            decide_recording(now);
            publish_frames();
            publish_messages();
            announce_pending = announce_pending || todo.announce_now || got->announce_asked || !got->link_events.empty();
            if (announce_pending && now - last_announce >= min_announce_gap) {
                send_announce(false);
                last_announce = now;
                announce_pending = false;
            }
            for (auto& done : std::exchange(end_of_pass, {})) done();  // cluster_node::sync
        }
    }

    /** Not connected: why, when nats.c has a new reason (a wrong password says nothing else). */
    void report_connection_error() {
        auto why = link->connected() ? std::string() : link->connection_error();
        if (why == connection_error) return;
        connection_error = std::move(why);
        if (!connection_error.empty()) spdlog::warn("cluster: cannot join through NATS: {}", connection_error);
    }

    static void merge(actions& into, actions from) {
        auto append = [](auto& a, auto& b) { a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end())); };
        append(into.upsert, from.upsert);
        append(into.forget, from.forget);
        append(into.subscribe, from.subscribe);
        append(into.unsubscribe, from.unsubscribe);
        append(into.interest_changed, from.interest_changed);
        append(into.new_watchers, from.new_watchers);
        into.announce_now = into.announce_now || from.announce_now;
    }

    /** Relay, on the cluster thread under `mutex`: a viewer's change, to the stream's owner. */
    void request_control(const std::string& stream, std::string text) {
        if (auto m = relay->to_owner(stream, std::move(text), state.owner(stream))) box->send(std::move(*m));
    }
    /** Owner, on the cluster thread under `mutex`: applies a relay's change and answers it. */
    void answer_control(const control_relay::request& r) {
        relay->answer(r, locals.hub_of(r.stream), [w = std::weak_ptr<mailbox>(box)](mailbox::outgoing m) {
            if (auto b = w.lock()) b->send(std::move(m));
        });
    }
    /** Relay, on the cluster thread under `mutex`: the owner's controls list, a change, or an answer. */
    void relay_controls(const control_relay::owner_message& m) {
        relay->pass_on(m, state.owner(m.stream), remotes->controls_of(m.stream));
    }

    void publish_messages() {
        for (const auto& m : box->take_outgoing()) {
            const std::span bytes{reinterpret_cast<const std::uint8_t*>(m.text.data()), m.text.size()};
            // Requests are addressed to the owner's node and run; the rest say they are from us.
            if (m.to_node.empty())
                link->publish(m.subject, bytes, options.node, epoch_text, m.reply);
            else
                link->publish(m.subject, bytes, m.to_node, m.to_epoch, m.reply);
        }
    }

    /** On the cluster thread: the newest frame of each watched local stream, once. */
    void publish_frames() {
        std::vector<local_streams::outgoing_frame> out;
        {
            std::lock_guard lock(mutex);
            out = locals.take_frames();
        }
        std::vector<std::uint8_t> scratch;  // a renumbered copy, only after a stream's hub was replaced in this run
        for (const auto& [name, f, sequence] : out) {
            const auto bytes = framed_as(*f, sequence, scratch);
            const auto limit = link->max_payload();
            // Headers (node, epoch) take about 80 bytes of the server's max_payload.
            if (limit > 0 && static_cast<std::int64_t>(bytes.size()) + 128 > limit) {
                too_large(name, bytes.size(), limit);
                continue;
            }
            if (link->publish(subjects_.frame(name), bytes, options.node, epoch_text) == transport::sent::too_large)
                too_large(name, bytes.size(), limit);
        }
    }

    void too_large(const std::string& name, std::size_t size, std::int64_t limit) {
        std::uint64_t suppressed = 0;
        if (too_large_log.allow(rate_limit::clock::now(), suppressed))
            spdlog::warn("stream={} cluster: a frame of {} bytes is larger than the NATS max_payload ({} bytes): other "
                         "nodes do not get it; raise max_payload in nats-server.conf (8MB covers --max-frame-bytes 4 MiB)",
                         name, size, limit);
    }

    /** Which of this node's streams it records (cluster_state::should_record); told outside the lock. */
    void decide_recording(clock::time_point now) {
        // Twice a second is soon enough (announces come every second), and a pass can come
        // thousands of times a second when many cameras' frames go out.
        if (!options.hold_recording || now < next_decision) return;
        next_decision = now + decide_every;
        std::vector<std::pair<std::string, bool>> holds;
        {
            std::lock_guard lock(mutex);
            const bool settled = joined != clock::time_point{} ? now - joined >= options.times.node_timeout
                                                              : now - thread_started >= 2 * options.times.node_timeout;
            for (const auto& name : locals.names()) {
                const auto* hub = locals.hub_of(name);
                const bool online = hub && hub->status().online;
                const bool records = options.records && options.records(name);
                bool hold = !settled || !state.should_record(name, online, records, now);
                if (!hold && !records) {
                    auto& last = released[name];
                    if (last != clock::time_point{} && now - last < release_every) hold = true;  // not yet again
                    else last = now;
                }
                holds.emplace_back(name, hold);
            }
        }
        for (const auto& [name, held] : holds) options.hold_recording(name, held);
    }

    void send_announce(bool leaving) {
        announce a;
        {
            std::lock_guard lock(mutex);
            a = state.make_announce(locals.announced(), leaving);
        }
        if (options.records)
            for (auto& s : a.streams) s.recording = !leaving && options.records(s.name);
        auto text = encode_announce(a);
        if (text.size() > max_announce_bytes) {
            // Other nodes refuse a larger one: the cameras' own texts go first.
            for (auto& st : a.streams) st.message.clear();
            text = encode_announce(a);
        }
        if (text.size() > max_announce_bytes) {
            std::uint64_t suppressed = 0;
            if (too_large_log.allow(rate_limit::clock::now(), suppressed))
                spdlog::error("cluster: this node's announce ({} bytes, {} streams) is over the {} bytes other nodes accept: "
                              "they will not see its streams", text.size(), a.streams.size(), max_announce_bytes);
            return;
        }
        link->publish(subjects_.announce(), {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    }

    node_options options;
    std::shared_ptr<stream_registry> registry;
    std::uint64_t epoch;
    std::string epoch_text;
    subjects subjects_;

    // What other threads hand the cluster thread (shared: a control's answer may come after the node is gone).
    std::shared_ptr<mailbox> box = std::make_shared<mailbox>();
    std::unique_ptr<control_relay> relay;  // made with the transport (its reply subject is the transport's inbox)

    std::mutex mutex;  // the state and the streams
    cluster_state state;
    // Recording waits a node timeout after the link first came up, for the others' word (or two
    // after the thread started, if NATS cannot be reached: a node alone still records).
    clock::time_point thread_started{}, joined{};
    // The last time each stream's recording was let go (started): at most every release_every,
    // so another party's flapping claims cannot start and stop recorders many times a second.
    std::map<std::string, clock::time_point> released;
    static constexpr auto release_every = std::chrono::seconds(30);
    clock::time_point next_decision{};
    static constexpr auto decide_every = std::chrono::milliseconds(500);
    local_streams locals{options.tokens_for};  // the owner's side
    std::unique_ptr<remote_streams> remotes;  // made with the node (its hooks hold the node weakly)

    std::unique_ptr<transport> link;
    std::unique_ptr<transport::subscription> announce_sub, control_sub, controls_sub, reply_sub;
    std::vector<std::function<void()>> end_of_pass;  // run when this pass has sent what it had to (cluster thread)
    std::thread thread;
    std::mutex announce_log_mutex;  // nats.c may deliver on more than one thread
    rate_limit announce_log{std::chrono::seconds(5)};
    std::string connection_error;  // the last one logged
    rate_limit too_large_log{std::chrono::seconds(60)};
};

cluster_node::cluster_node(node_options options, std::shared_ptr<stream_registry> registry)
    : impl_(std::make_shared<impl>(std::move(options), std::move(registry))) {
    const std::weak_ptr<impl> w = impl_;
    remote_streams::hooks h;
    h.post = [w](std::function<void()> job) {
        auto self = w.lock();
        return self && self->box->post(std::move(job));
    };
    h.request_control = [w](const std::string& stream, std::string text) {
        if (auto self = w.lock()) self->request_control(stream, std::move(text));
    };
    h.wake = [w] {
        if (auto self = w.lock()) self->box->wake();
    };
    h.owner_changed = [w](const std::string& stream, const std::optional<std::pair<std::string, std::uint64_t>>& owner) {
        // The relay is made at start; nothing is shown before.
        if (auto self = w.lock(); self && self->relay) self->relay->set_owner(stream, owner);
    };
    impl_->remotes = std::make_unique<remote_streams>(impl_->options, impl_->registry, std::move(h));
}

cluster_node::~cluster_node() { stop(); }

void cluster_node::start() {
    auto& i = *impl_;
    std::weak_ptr<impl> w = impl_;
    transport::events on;
    on.connected = [w](const std::string& url) {
        spdlog::info("cluster: connected to NATS {}", url);
        if (auto self = w.lock()) self->box->link_changed(true);
    };
    on.disconnected = [w] {
        spdlog::warn("cluster: disconnected from NATS; trying the other servers");
        if (auto self = w.lock()) self->box->link_changed(false);
    };
    on.error = [](const std::string& what) { spdlog::warn("cluster: {}", what); };
    on.closed = [w](const std::string& why) {
        // Reconnects are unlimited: nats.c gives up only when servers refuse the connection (it
        // closes after the same authorization error twice), and it keeps no better reason.
        spdlog::error("cluster: NATS gave up on this node's connection ({}): the servers refused it, most likely the "
                      "user and password in --nats; this node serves only its own streams until it is restarted", why);
        if (auto self = w.lock()) self->box->link_changed(false);
    };
    i.link = i.options.make_transport
                 ? i.options.make_transport(std::move(on))
                 : std::make_unique<nats_link>(i.options.urls, "wscam " + i.options.node, std::move(on), i.options.secret);
    i.relay = std::make_unique<control_relay>(i.options.node, i.epoch_text, i.subjects_, i.link->inbox() + ".control.");
    std::string error;
    // A subscription fails only on a closed connection: one refused for good (logged by
    // on.closed) leaves this node serving its own streams; anything else is a bug worth stopping for.
    auto subscribe = [&](const std::string& subject, void (*handle)(impl&, const incoming&)) {
        auto sub = i.link->subscribe(
            subject, [w, handle](const incoming& in) {
                if (auto self = w.lock()) handle(*self, in);
            },
            message_queue, &error, message_queue_bytes);
        if (!sub && !i.link->gave_up()) throw std::runtime_error("cluster: " + error);
        return sub;
    };
    i.announce_sub = subscribe(i.subjects_.announce(), [](impl& self, const incoming& in) { self.on_announce_message(in); });
    i.control_sub = subscribe(i.subjects_.all_control(), [](impl& self, const incoming& in) { self.on_control_request(in); });
    i.controls_sub =
        subscribe(i.subjects_.all_controls(), [](impl& self, const incoming& in) { self.on_owner_controls(in, false); });
    i.reply_sub =
        subscribe(i.relay->reply_prefix() + "*", [](impl& self, const incoming& in) { self.on_owner_controls(in, true); });
    spdlog::info("cluster: node {} joining through {}", i.options.node,
                 i.options.urls.empty() ? std::string("(no NATS)") : redact_command_line(i.options.urls.front()));
    if (i.options.secret.empty() && !i.options.make_transport)
        spdlog::warn("cluster: no --cluster-secret-file: anyone who can publish on this NATS can pose as a node, inject "
                     "frames and control changes, and open streams' own tokens on other nodes (docs/SECURITY.md)");
    i.thread = std::thread([self = impl_] { self->run(); });
}

void cluster_node::stop() {
    auto& i = *impl_;
    if (!i.thread.joinable()) return;
    i.box->stop();
    i.thread.join();
    if (i.link->connected()) i.send_announce(true);  // the others show our streams offline at once
    std::lock_guard lock(i.mutex);
    i.locals.unsubscribe_all();
    i.remotes->close_all();
    i.reply_sub.reset();
    i.controls_sub.reset();
    i.control_sub.reset();
    i.announce_sub.reset();
    i.link.reset();
    spdlog::info("cluster: node {} left", i.options.node);
}

bool cluster_node::sync(std::chrono::milliseconds limit) {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    const std::weak_ptr<impl> w = impl_;
    if (!impl_->box->post([w, done] {
            if (auto self = w.lock()) self->end_of_pass.push_back([done] { done->set_value(); });
        }))
        return false;
    return future.wait_for(limit) == std::future_status::ready;
}

void cluster_node::set_local_streams(const std::vector<std::shared_ptr<stream>>& hubs) {
    auto& i = *impl_;
    {
        std::lock_guard lock(i.mutex);
        const std::weak_ptr<impl> w = impl_;
        i.state.set_local_streams(i.locals.set(hubs, [&](const std::string& name) {
            return std::make_shared<owner_sink>(
                name, owner_sink::hooks{[w](bool announce) {
                                            if (auto self = w.lock()) self->box->wake(announce);
                                        },
                                        [w, subject = i.subjects_.controls(name)](std::string text) {
                                            if (auto self = w.lock()) self->box->send({subject, std::move(text)});
                                        }});
        }));
    }
    i.box->wake(true);
}

std::optional<std::pair<std::string, std::string>> cluster_node::recordings_home(const std::string& name) {
    auto& i = *impl_;
    const bool here = i.options.records && i.options.records(name);  // before the lock: it takes the recorders'
    std::lock_guard lock(i.mutex);
    return i.state.recordings_home(name, here, clock::now());
}

void cluster_node::release(const std::string& name) {
    auto& i = *impl_;
    std::lock_guard lock(i.mutex);
    auto names = i.locals.names();
    names.push_back(name);
    i.state.set_local_streams(std::move(names));  // the cluster no longer shows it as remote
    i.remotes->forget(name, "stream '" + name + "' is now served by this node: reconnect");
    i.remotes->end_pass();
}

}  // namespace wscam::cluster
