#include "core/stream.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "hub_test_support.hpp"
#include "protocol/viewer_message.hpp"

namespace wscam {
namespace {

using test::race;
using test::racing_sink;
using test::recording_sink;

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

TEST(stream, status_changes_reach_subscribers_once) {
    stream hub("cam");
    auto sink = std::make_shared<recording_sink>();
    hub.subscribe(sink);
    hub.set_status(stream_status::down("unplugged"));
    hub.set_status(stream_status::down("unplugged"));
    hub.set_status(stream_status::up());
    ASSERT_EQ(sink->statuses.size(), 2u);
    EXPECT_EQ(sink->statuses[0].reason, "unplugged");
    EXPECT_TRUE(sink->statuses[1].online);
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

TEST(stream, setting_a_control_to_its_current_value_calls_no_device_and_tells_nobody) {
    auto hub = std::make_shared<stream>("cam");
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

TEST(stream, a_new_list_of_controls_is_written_once_and_the_same_bytes_reach_every_subscriber) {
    struct update_sink : recording_sink {
        std::vector<std::shared_ptr<const controls_update>> updates;
        void on_controls_update(const std::shared_ptr<const controls_update>& u) override { updates.push_back(u); }
    };
    auto hub = std::make_shared<stream>("cam");
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

TEST(stream, a_refused_control_change_reaches_only_the_one_who_asked) {
    auto hub = std::make_shared<stream>("cam");
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

TEST(stream, status_text_from_a_camera_is_sanitised_and_every_change_gets_a_newer_version) {
    stream hub("cam");
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

TEST(stream, a_removed_stream_tells_its_subscribers_once_and_every_later_one_at_once) {
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

TEST(stream, removing_a_push_stream_sends_its_publisher_away) {
    struct leaving : publisher {
        std::string why;
        void kick(const std::string& reason) override { why = reason; }
    };
    auto hub = std::make_shared<stream>("garage");
    auto gate = std::make_shared<publish_gate>("", false);
    hub->set_publish_gate(gate);
    auto camera = std::make_shared<leaving>();
    ASSERT_EQ(gate->claim(camera), "");
    hub->remove("gone");
    EXPECT_EQ(camera->why, "gone");
    EXPECT_EQ(hub->gate(), nullptr);
    EXPECT_EQ(gate->claim(std::make_shared<leaving>()), "gone");
}

TEST(stream, a_subscriber_racing_status_changes_ends_up_knowing_the_newest) {
    // What a viewer does: join, then read status(); a later change must reach it through the
    // subscription. Whatever the interleaving, the newest version is one of the two.
    std::vector<std::uint64_t> read(40);
    race(
        [] { return std::make_shared<stream>("cam"); },
        [](stream& hub) {
            for (int n = 0; n < 50; ++n) hub.set_status(n % 2 ? stream_status::up() : stream_status::down("unplugged"));
        },
        [&](stream& hub, const std::shared_ptr<racing_sink>& sink, int i) {
            hub.subscribe(sink);
            read[i] = hub.status().version;
        },
        [&](stream& hub, const racing_sink& sink, int i) {
            EXPECT_EQ(std::max(read[i], sink.newest_status.load()), hub.status().version) << "sink " << i;
        });
}

}  // namespace
}  // namespace wscam
