#include "core/frame_hub.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace wscam {
namespace {

struct recording_sink : frame_sink {
    std::vector<std::uint64_t> sequences;
    std::vector<stream_status> statuses;
    void on_frame(frame_ptr f) override { sequences.push_back(f->sequence()); }
    void on_status(const stream_status& s) override { statuses.push_back(s); }
};

frame_ptr publish_bytes(frame_hub& hub, std::size_t n) {
    auto storage = frame::make_storage(n);
    return hub.publish(std::move(storage), n, frame_info{320, 240, unix_now_us()});
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

}  // namespace
}  // namespace wscam
