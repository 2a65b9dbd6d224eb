#include "core/frame_hub.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "hub_test_support.hpp"

namespace wscam {
namespace {

using test::publish_bytes;
using test::race;
using test::racing_sink;
using test::recording_sink;

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
    frame_hub hub;
    EXPECT_EQ(hub.latest(), nullptr);
    publish_bytes(hub, 10);
    auto second = publish_bytes(hub, 20);
    EXPECT_EQ(second->sequence(), 2u);
    EXPECT_EQ(hub.latest(), second);
    EXPECT_EQ(hub.published().frames, 2u);
    EXPECT_EQ(hub.published().bytes, 30u);
}

TEST(frame_hub, every_subscriber_gets_the_same_frame_object) {
    frame_hub hub;
    auto a = std::make_shared<recording_sink>();
    auto b = std::make_shared<recording_sink>();
    hub.subscribe(a);
    hub.subscribe(b);
    publish_bytes(hub, 10);
    EXPECT_EQ(a->sequences, std::vector<std::uint64_t>{1});
    EXPECT_EQ(b->sequences, std::vector<std::uint64_t>{1});
}

TEST(frame_hub, subscribe_returns_the_newest_frame_so_a_viewer_starts_at_once) {
    frame_hub hub;
    publish_bytes(hub, 10);
    auto latest = publish_bytes(hub, 10);
    auto sink = std::make_shared<recording_sink>();
    EXPECT_EQ(hub.subscribe(sink), latest);
}

TEST(frame_hub, unsubscribed_and_destroyed_sinks_get_nothing) {
    frame_hub hub;
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

TEST(frame_hub, wait_for_viewers_wakes_on_subscribe_and_on_stop) {
    frame_hub hub;
    std::atomic<bool> woke{false};
    std::jthread waiter([&](std::stop_token st) { woke = hub.wait_for_viewers(st); });
    auto sink = std::make_shared<recording_sink>();
    hub.subscribe(sink);
    waiter.join();
    EXPECT_TRUE(woke);

    frame_hub idle;
    std::jthread stopped([&](std::stop_token st) { woke = idle.wait_for_viewers(st); });
    stopped.request_stop();
    stopped.join();
    EXPECT_FALSE(woke);
}

TEST(frame_hub, frame_header_round_trips) {
    frame_hub hub;
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
    frame_hub hub;
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
    EXPECT_EQ(hub.published().frames, 5u) << "frames counted, not numbers";
    EXPECT_EQ(hub.published().bytes, 50u);
}

TEST(frame_hub, viewers_who_all_paused_are_no_demand) {
    frame_hub hub;
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

TEST(frame_hub, a_demand_watch_is_told_when_a_viewer_arrives_or_resumes_and_never_after_disarm) {
    auto hub = std::make_shared<frame_hub>();
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

TEST(frame_hub, an_ended_hub_tells_its_subscribers_once_and_every_later_one_at_once) {
    frame_hub hub;
    auto early = std::make_shared<recording_sink>();
    hub.subscribe(early);
    EXPECT_TRUE(hub.removed().empty());
    EXPECT_TRUE(hub.remove(""));
    EXPECT_FALSE(hub.remove("again")) << "only the first call counts";
    EXPECT_EQ(early->removals, std::vector<std::string>{"stream removed"});
    auto late = std::make_shared<recording_sink>();
    hub.subscribe(late);
    EXPECT_EQ(late->removals, std::vector<std::string>{"stream removed"}) << "told at once";
    EXPECT_EQ(hub.removed(), "stream removed");
}

TEST(frame_hub, a_subscriber_racing_publishes_gets_every_frame_after_the_one_it_started_with_exactly_once) {
    constexpr std::uint64_t published = 200;
    std::vector<std::uint64_t> started(40);
    race([] { return std::make_shared<frame_hub>(); },
         [](frame_hub& hub) { for (std::uint64_t n = 0; n < published; ++n) publish_bytes(hub, 10); },
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
    race([] { return std::make_shared<frame_hub>(); },
         [](frame_hub& hub) { hub.remove("gone"); },
         [](frame_hub& hub, const std::shared_ptr<racing_sink>& sink, int) { hub.subscribe(sink); },
         [](frame_hub&, const racing_sink& sink, int i) { EXPECT_EQ(sink.removals.load(), 1) << "sink " << i; });
}

}  // namespace
}  // namespace wscam
