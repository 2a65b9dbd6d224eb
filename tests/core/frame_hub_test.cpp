#include "core/frame_hub.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "protocol/viewer_message.hpp"

namespace wscam {
namespace {

struct recording_sink : frame_sink {
    std::vector<std::uint64_t> sequences;
    std::vector<stream_status> statuses;
    std::vector<std::pair<std::string, double>> controls;
    std::atomic<std::size_t> watching{1};
    std::vector<std::string> removals;
    void on_removed(const std::string& why) override { removals.push_back(why); }
    void on_frame(frame_ptr f) override { sequences.push_back(f->sequence()); }
    void on_status(const stream_status& s) override { statuses.push_back(s); }
    void on_control_changed(const std::string& id, double v) override { controls.emplace_back(id, v); }
    std::size_t viewers() const override { return watching.load(); }
};

/** A camera with one control that counts how often it was really asked to change. */
struct counting_camera : controllable {
    double brightness = 0;
    int device_calls = 0;
    std::vector<control_info> controls() const override {
        return {{"brightness", "Brightness", "int", -2, 2, 1, brightness, {}}};
    }
    void set_control(const std::string&, double value, control_callback done) override {
        ++device_calls;
        brightness = value;
        done(control_result::applied(value));
    }
};

frame_ptr publish_bytes(frame_hub& hub, std::size_t n) {
    auto storage = frame::make_storage(n);
    return hub.publish(std::move(storage), n, frame_info{320, 240, unix_now_us()});
}

TEST(frame, storage_from_a_jpeg_is_the_header_room_and_one_exact_copy) {
    const std::vector<std::uint8_t> jpeg{0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9};
    auto storage = frame::make_storage(std::span<const std::uint8_t>(jpeg));
    EXPECT_EQ(storage.size(), frame::header_size + jpeg.size());
    EXPECT_EQ(storage.capacity(), storage.size()) << "no spare capacity for a viewer to pin";
    EXPECT_TRUE(std::equal(jpeg.begin(), jpeg.end(), storage.begin() + frame::header_size));
    const auto* bytes = storage.data();
    frame f(std::move(storage), jpeg.size(), frame_info{320, 240, 1}, 7, 2);
    EXPECT_EQ(f.framed().data(), bytes) << "the frame keeps that buffer: no second copy";
    EXPECT_EQ(f.memory_bytes(), frame::header_size + jpeg.size());
    EXPECT_TRUE(std::equal(jpeg.begin(), jpeg.end(), f.jpeg().begin(), f.jpeg().end()));
}

TEST(frame_hub, numbers_frames_from_one_and_keeps_the_newest) {
    frame_hub hub("cam");
    EXPECT_EQ(hub.latest(), nullptr);
    publish_bytes(hub, 10);
    auto second = publish_bytes(hub, 20);
    EXPECT_EQ(second->sequence(), 2u);
    EXPECT_EQ(hub.latest(), second);
    EXPECT_EQ(hub.counters().frames_published, 2u);
    EXPECT_EQ(hub.counters().bytes_published, 30u);
}

TEST(frame_hub, every_subscriber_gets_the_same_frame_object) {
    frame_hub hub("cam");
    auto a = std::make_shared<recording_sink>();
    auto b = std::make_shared<recording_sink>();
    hub.subscribe(a);
    hub.subscribe(b);
    publish_bytes(hub, 10);
    EXPECT_EQ(a->sequences, std::vector<std::uint64_t>{1});
    EXPECT_EQ(b->sequences, std::vector<std::uint64_t>{1});
}

TEST(frame_hub, subscribe_returns_the_newest_frame_so_a_viewer_starts_at_once) {
    frame_hub hub("cam");
    publish_bytes(hub, 10);
    auto latest = publish_bytes(hub, 10);
    auto sink = std::make_shared<recording_sink>();
    EXPECT_EQ(hub.subscribe(sink), latest);
}

TEST(frame_hub, unsubscribed_and_destroyed_sinks_get_nothing) {
    frame_hub hub("cam");
    auto gone = std::make_shared<recording_sink>();
    auto left = std::make_shared<recording_sink>();
    hub.subscribe(gone);
    hub.subscribe(left);
    EXPECT_EQ(hub.viewer_count(), 2u);
    hub.unsubscribe(left.get());
    gone.reset();
    publish_bytes(hub, 10);
    EXPECT_TRUE(left->sequences.empty());
    auto fresh = std::make_shared<recording_sink>();
    hub.subscribe(fresh);  // prunes the destroyed one
    EXPECT_EQ(hub.viewer_count(), 1u);
}

TEST(frame_hub, status_changes_reach_subscribers_once) {
    frame_hub hub("cam");
    auto sink = std::make_shared<recording_sink>();
    hub.subscribe(sink);
    hub.set_status(stream_status::down("unplugged"));
    hub.set_status(stream_status::down("unplugged"));
    hub.set_status(stream_status::up());
    ASSERT_EQ(sink->statuses.size(), 2u);
    EXPECT_EQ(sink->statuses[0].reason, "unplugged");
    EXPECT_TRUE(sink->statuses[1].online);
}

TEST(frame_hub, wait_for_viewers_wakes_on_subscribe_and_on_stop) {
    frame_hub hub("cam");
    std::atomic<bool> woke{false};
    std::jthread waiter([&](std::stop_token st) { woke = hub.wait_for_viewers(st); });
    auto sink = std::make_shared<recording_sink>();
    hub.subscribe(sink);
    waiter.join();
    EXPECT_TRUE(woke);

    frame_hub idle("idle");
    std::jthread stopped([&](std::stop_token st) { woke = idle.wait_for_viewers(st); });
    stopped.request_stop();
    stopped.join();
    EXPECT_FALSE(woke);
}

TEST(frame_hub, frame_header_round_trips) {
    frame_hub hub("cam");
    auto storage = frame::make_storage(3);
    storage[frame::header_size] = 0xAB;
    auto f = hub.publish(std::move(storage), 3, frame_info{1280, 720, 1234567890123456});
    frame_header h;
    ASSERT_TRUE(parse_frame_header(f->framed(), h));
    EXPECT_EQ(h.type, 1);
    EXPECT_EQ(h.header_size, frame::header_size);
    EXPECT_EQ(h.width, 1280);
    EXPECT_EQ(h.height, 720);
    EXPECT_EQ(h.sequence, 1u);
    EXPECT_EQ(h.capture_us, 1234567890123456);
    EXPECT_EQ(h.publish_us, f->publish_us());
    EXPECT_EQ(f->jpeg().size(), 3u);
    EXPECT_EQ(f->jpeg()[0], 0xAB);
    EXPECT_EQ(f->framed().data() + frame::header_size, f->jpeg().data()) << "one buffer for both framings";
}

TEST(frame_hub, publish_numbered_keeps_the_owners_sequence_and_the_next_publish_continues_from_it) {
    frame_hub hub("relayed");
    auto sink = std::make_shared<recording_sink>();
    hub.subscribe(sink);
    publish_bytes(hub, 10);
    auto relayed = hub.publish_numbered(frame::make_storage(10), 10, frame_info{320, 240, 42}, 812);
    EXPECT_EQ(relayed->sequence(), 812u);
    EXPECT_EQ(relayed->capture_us(), 42) << "the owner's capture time";
    EXPECT_EQ(hub.latest(), relayed);
    EXPECT_EQ(publish_bytes(hub, 10)->sequence(), 813u);
    // A new run of the owner numbers from 1 again.
    EXPECT_EQ(hub.publish_numbered(frame::make_storage(10), 10, frame_info{320, 240, 43}, 1)->sequence(), 1u);
    EXPECT_EQ(publish_bytes(hub, 10)->sequence(), 2u);
    EXPECT_EQ(sink->sequences, (std::vector<std::uint64_t>{1, 812, 813, 1, 2}));
    EXPECT_EQ(hub.counters().frames_published, 5u) << "frames counted, not numbers";
    EXPECT_EQ(hub.counters().bytes_published, 50u);
}

TEST(stream_registry, rejects_duplicate_and_invalid_names) {
    stream_registry r;
    r.add("front-door_1");
    EXPECT_THROW(r.add("front-door_1"), std::invalid_argument);
    EXPECT_THROW(r.add("../etc"), std::invalid_argument);
    EXPECT_THROW(r.add(""), std::invalid_argument);
    EXPECT_THROW(r.add(std::string(65, 'a')), std::invalid_argument);
    EXPECT_NE(r.find("front-door_1"), nullptr);
    EXPECT_EQ(r.find("nope"), nullptr);
}

TEST(stream_registry, lists_streams_in_the_order_they_were_added) {
    stream_registry r;
    for (const char* name : {"porch", "garage", "attic"}) r.add(name);
    std::vector<std::string> names;
    for (const auto& hub : r.all()) names.push_back(hub->name());
    EXPECT_EQ(names, (std::vector<std::string>{"porch", "garage", "attic"}));
}

TEST(frame_hub, setting_a_control_to_its_current_value_calls_no_device_and_tells_nobody) {
    auto hub = std::make_shared<frame_hub>("cam");
    auto camera = std::make_shared<counting_camera>();
    hub->set_controllable(camera);
    auto sink = std::make_shared<recording_sink>();
    hub->subscribe(sink);
    std::vector<control_result> results;
    auto record = [&](const control_result& r) { results.push_back(r); };

    hub->set_control("brightness", 1, record);
    hub->set_control("brightness", 1, record);  // what an echoing page would send back
    hub->set_control("brightness", 1.2, record);  // snaps to the step: still 1
    EXPECT_EQ(camera->device_calls, 1);
    ASSERT_EQ(sink->controls.size(), 1u) << "one change, one control_changed";
    EXPECT_EQ(sink->controls[0], (std::pair<std::string, double>{"brightness", 1}));
    ASSERT_EQ(results.size(), 3u);
    EXPECT_TRUE(results[0].ok && results[0].changed);
    EXPECT_TRUE(results[1].ok && !results[1].changed);
    EXPECT_TRUE(results[2].ok && !results[2].changed);
}

TEST(frame_hub, a_new_list_of_controls_is_written_once_and_the_same_bytes_reach_every_subscriber) {
    struct update_sink : recording_sink {
        std::vector<std::shared_ptr<const controls_update>> updates;
        void on_controls_update(const std::shared_ptr<const controls_update>& u) override { updates.push_back(u); }
    };
    auto hub = std::make_shared<frame_hub>("cam");
    auto a = std::make_shared<update_sink>(), b = std::make_shared<update_sink>();
    hub->subscribe(a);
    hub->subscribe(b);
    hub->set_controllable(std::make_shared<counting_camera>());
    ASSERT_EQ(a->updates.size(), 1u);
    ASSERT_EQ(b->updates.size(), 1u);
    EXPECT_EQ(a->updates[0]->message(&make_controls_message).get(), b->updates[0]->message(&make_controls_message).get()) << "one string for every viewer";
    EXPECT_EQ(*a->updates[0]->message(&make_controls_message), make_controls_message("cam", a->updates[0]->list));
    EXPECT_EQ(a->updates[0]->list.at(0).id, "brightness");
}

TEST(frame_hub, a_refused_control_change_reaches_only_the_one_who_asked) {
    auto hub = std::make_shared<frame_hub>("cam");
    hub->set_controllable(std::make_shared<counting_camera>());
    auto sink = std::make_shared<recording_sink>();
    hub->subscribe(sink);
    std::string error;
    hub->set_control("brightness", 5, [&](const control_result& r) { error = r.error; });
    EXPECT_NE(error.find("outside"), std::string::npos) << error;
    hub->set_control("zoom", 1, [&](const control_result& r) { error = r.error; });
    EXPECT_EQ(error, "stream 'cam' has no control 'zoom' (it has brightness)");
    EXPECT_TRUE(sink->controls.empty());
}

TEST(frame_hub, status_text_from_a_camera_is_sanitised_and_every_change_gets_a_newer_version) {
    frame_hub hub("cam");
    auto sink = std::make_shared<recording_sink>();
    hub.subscribe(sink);
    hub.set_status(stream_status::down("HTTP 503 Sp\xe4ter\r\nX-Injected: 1"));
    hub.set_status(stream_status::up());
    ASSERT_EQ(sink->statuses.size(), 2u);
    EXPECT_EQ(sink->statuses[0].reason, "HTTP 503 Sp\xEF\xBF\xBDter  X-Injected: 1");
    EXPECT_EQ(hub.status().reason, "");
    EXPECT_LT(sink->statuses[0].version, sink->statuses[1].version);
    EXPECT_EQ(hub.status().version, sink->statuses[1].version);
    EXPECT_FALSE(hub.set_status(stream_status::up())) << "no change, no new version";
}

TEST(frame_hub, viewers_who_all_paused_are_no_demand) {
    frame_hub hub("cam");
    auto sink = std::make_shared<recording_sink>();
    hub.subscribe(sink);
    EXPECT_EQ(hub.viewer_count(), 1u);
    sink->watching = 0;  // its only viewer's tab was hidden
    hub.demand_changed();
    EXPECT_EQ(hub.viewer_count(), 0u);
    std::stop_source stop;
    std::atomic<bool> woke{false};
    std::thread waiter([&] { woke = hub.wait_for_viewers(stop.get_token()); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(woke) << "a subscribed sink with no watching viewer must not wake the camera";
    sink->watching = 1;
    hub.demand_changed();
    waiter.join();
    EXPECT_TRUE(woke);
}

TEST(frame_hub, a_removed_stream_tells_its_subscribers_once_and_every_later_one_at_once) {
    stream_registry registry;
    auto hub = registry.add("porch");
    auto early = std::make_shared<recording_sink>();
    hub->subscribe(early);
    EXPECT_EQ(registry.take("porch"), hub);
    EXPECT_EQ(registry.find("porch"), nullptr) << "new requests get 404";
    EXPECT_EQ(registry.take("porch"), nullptr);
    EXPECT_TRUE(hub->removed().empty()) << "taking it out of the registry alone tells no one";
    hub->remove("stream 'porch' was removed from the configuration");
    hub->remove("again");
    ASSERT_EQ(early->removals.size(), 1u);
    EXPECT_EQ(early->removals[0], "stream 'porch' was removed from the configuration");
    // A viewer that found the stream just before it went: told when it subscribes.
    auto late = std::make_shared<recording_sink>();
    hub->subscribe(late);
    ASSERT_EQ(late->removals.size(), 1u);
    EXPECT_EQ(hub->removed(), early->removals[0]);
    EXPECT_NE(registry.add("porch"), hub) << "the name can be used again";
}

TEST(frame_hub, removing_a_push_stream_sends_its_publisher_away) {
    struct leaving : publisher {
        std::string why;
        void kick(const std::string& reason) override { why = reason; }
    };
    auto hub = std::make_shared<frame_hub>("garage");
    auto gate = std::make_shared<publish_gate>("", false);
    hub->set_publish_gate(gate);
    auto camera = std::make_shared<leaving>();
    ASSERT_EQ(gate->claim(camera), "");
    hub->remove("gone");
    EXPECT_EQ(camera->why, "gone");
    EXPECT_EQ(hub->gate(), nullptr);
    EXPECT_EQ(gate->claim(std::make_shared<leaving>()), "gone");
}

TEST(frame_hub, a_demand_watch_is_told_when_a_viewer_arrives_or_resumes_and_never_after_disarm) {
    auto hub = std::make_shared<frame_hub>("cam");
    int wakes = 0;
    auto watch = std::make_shared<demand_watch>([&] { ++wakes; });
    hub->watch_demand(watch);
    auto sink = std::make_shared<recording_sink>();
    hub->subscribe(sink);
    EXPECT_EQ(wakes, 1) << "the first viewer";
    sink->watching = 0;
    hub->demand_changed();  // paused
    sink->watching = 1;
    hub->demand_changed();  // resumed
    EXPECT_EQ(wakes, 3);
    watch->disarm();
    hub->demand_changed();
    hub->subscribe(std::make_shared<recording_sink>());
    EXPECT_EQ(wakes, 3) << "a stopped source is not woken";
    hub->watch_demand(nullptr);
    hub->demand_changed();
}

/** A sink for the race tests below: what reached it, each written by one thread only. */
struct racing_sink : frame_sink {
    std::vector<std::uint64_t> frames;  // the publishing thread's
    std::atomic<int> removals{0};
    std::atomic<std::uint64_t> newest_status{0};
    void on_frame(frame_ptr f) override { frames.push_back(f->sequence()); }
    void on_removed(const std::string&) override { ++removals; }
    void on_status(const stream_status& s) override {
        auto seen = newest_status.load();
        while (seen < s.version && !newest_status.compare_exchange_weak(seen, s.version)) {}
    }
};

/**
 * `rounds` times: a fresh hub; `other(hub)` on a second thread and, released at the same
 * instant, `joins` sinks subscribing one after another on this one (`join(hub, sink, i)`);
 * then `check(hub, sink, i)` for each. Each round's interleavings differ.
 */
template <class Other, class Join, class Check>
void race(Other other, Join join, Check check) {
    constexpr int rounds = 3000, joins = 40;
    for (int round = 0; round < rounds && !::testing::Test::HasFailure(); ++round) {
        auto hub = std::make_shared<frame_hub>("cam");
        std::vector<std::shared_ptr<racing_sink>> sinks;
        for (int i = 0; i < joins; ++i) sinks.push_back(std::make_shared<racing_sink>());
        std::atomic<int> ready{0};
        std::thread t([&] {
            ++ready;
            while (ready.load() < 2) std::this_thread::yield();
            other(*hub);
        });
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
        for (int i = 0; i < joins; ++i) join(*hub, sinks[i], i);
        t.join();
        for (int i = 0; i < joins; ++i) check(*hub, *sinks[i], i);
    }
}

TEST(frame_hub, a_subscriber_racing_publishes_gets_every_frame_after_the_one_it_started_with_exactly_once) {
    constexpr std::uint64_t published = 200;
    std::vector<std::uint64_t> started(40);
    race([](frame_hub& hub) { for (std::uint64_t n = 0; n < published; ++n) publish_bytes(hub, 10); },
         [&](frame_hub& hub, const std::shared_ptr<racing_sink>& sink, int i) {
             const auto first = hub.subscribe(sink);
             started[i] = first ? first->sequence() : 0;
         },
         [&](frame_hub&, const racing_sink& sink, int i) {
             std::vector<std::uint64_t> expected;
             for (auto n = started[i] + 1; n <= published; ++n) expected.push_back(n);
             EXPECT_EQ(sink.frames, expected) << "subscribed at frame " << started[i];
         });
}

TEST(frame_hub, a_subscriber_racing_a_removal_hears_it_exactly_once) {
    race([](frame_hub& hub) { hub.remove("gone"); },
         [](frame_hub& hub, const std::shared_ptr<racing_sink>& sink, int) { hub.subscribe(sink); },
         [](frame_hub&, const racing_sink& sink, int i) { EXPECT_EQ(sink.removals.load(), 1) << "sink " << i; });
}

TEST(frame_hub, a_subscriber_racing_status_changes_ends_up_knowing_the_newest) {
    // What a viewer does: join, then read status(); a later change must reach it through the
    // subscription. Whatever the interleaving, the newest version is one of the two.
    std::vector<std::uint64_t> read(40);
    race(
        [](frame_hub& hub) {
            for (int n = 0; n < 50; ++n) hub.set_status(n % 2 ? stream_status::up() : stream_status::down("unplugged"));
        },
        [&](frame_hub& hub, const std::shared_ptr<racing_sink>& sink, int i) {
            hub.subscribe(sink);
            read[i] = hub.status().version;
        },
        [&](frame_hub& hub, const racing_sink& sink, int i) {
            EXPECT_EQ(std::max(read[i], sink.newest_status.load()), hub.status().version) << "sink " << i;
        });
}

}  // namespace
}  // namespace wscam
