#include "core/latest_frame_slot.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

frame_ptr make_frame(std::uint64_t sequence) {
    auto storage = frame::make_storage(4);
    return std::make_shared<const frame>(std::move(storage), 4, frame_info{16, 16, 1}, sequence, 2);
}

TEST(latest_frame_slot, first_frame_starts_writing_at_once) {
    latest_frame_slot slot;
    slot.offer(make_frame(1));
    auto f = slot.start_write();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->sequence(), 1u);
    EXPECT_TRUE(slot.writing());
    EXPECT_FALSE(slot.has_pending());
}

TEST(latest_frame_slot, frame_published_while_one_is_in_flight_waits_as_pending) {
    latest_frame_slot slot;
    slot.offer(make_frame(1));
    slot.start_write();
    slot.offer(make_frame(2));
    EXPECT_EQ(slot.start_write(), nullptr) << "only one write at a time";
    EXPECT_TRUE(slot.has_pending());
    slot.write_done();
    auto next = slot.start_write();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->sequence(), 2u);
    EXPECT_EQ(slot.dropped(), 0u);
}

TEST(latest_frame_slot, newer_frame_replaces_pending_and_counts_a_drop) {
    latest_frame_slot slot;
    slot.offer(make_frame(1));
    slot.start_write();
    slot.offer(make_frame(2));
    slot.offer(make_frame(3));
    slot.offer(make_frame(4));
    EXPECT_EQ(slot.dropped(), 2u);
    slot.write_done();
    EXPECT_EQ(slot.start_write()->sequence(), 4u) << "the newest frame wins";
    slot.write_done();
    EXPECT_EQ(slot.sent(), 2u);
}

TEST(latest_frame_slot, never_holds_more_than_two_frames_however_many_arrive) {
    latest_frame_slot slot;
    std::weak_ptr<const frame> first;
    {
        auto f = make_frame(1);
        first = f;
        slot.offer(f);
    }
    slot.start_write();  // the viewer never finishes this write
    std::vector<std::weak_ptr<const frame>> later;
    for (std::uint64_t s = 2; s < 1000; ++s) {
        auto f = make_frame(s);
        later.push_back(f);
        slot.offer(std::move(f));
    }
    std::size_t alive = 0;
    for (auto& w : later) alive += !w.expired();
    EXPECT_FALSE(first.expired()) << "the frame in flight stays alive until written";
    EXPECT_EQ(alive, 1u) << "only the newest pending frame is kept";
    EXPECT_EQ(slot.dropped(), 997u);
}

TEST(latest_frame_slot, skipped_counts_the_gaps_a_viewer_sees_between_frames_it_was_sent) {
    latest_frame_slot slot;
    slot.offer(make_frame(10));
    slot.start_write();  // 10 written: a first frame is never a gap
    for (std::uint64_t s = 11; s <= 14; ++s) slot.offer(make_frame(s));
    slot.write_done();
    slot.start_write();  // 14 being written
    EXPECT_EQ(slot.skipped(), 0u) << "a write the connection's close could still cut short does not count yet";
    slot.write_done();   // 14 sent: 11, 12, 13 skipped
    EXPECT_EQ(slot.skipped(), 3u);
    EXPECT_EQ(slot.dropped(), 3u);
    slot.offer(make_frame(15));
    slot.offer(make_frame(16));  // replaces 15 before it was written: 15 is never sent
    EXPECT_EQ(slot.dropped(), 4u);
    EXPECT_EQ(slot.skipped(), 3u) << "nothing after 14 was written yet, so the viewer has seen no new gap";
}

TEST(latest_frame_slot, ignores_frames_not_newer_than_what_it_has) {
    latest_frame_slot slot;
    slot.offer(make_frame(5));
    slot.offer(make_frame(5));
    slot.offer(make_frame(3));
    EXPECT_EQ(slot.dropped(), 0u);
    EXPECT_EQ(slot.start_write()->sequence(), 5u);
    slot.offer(nullptr);
    EXPECT_FALSE(slot.has_pending());
}

TEST(latest_frame_slot, clear_pending_forgets_without_counting_a_drop) {
    latest_frame_slot slot;
    slot.offer(make_frame(1));
    slot.start_write();
    slot.offer(make_frame(2));
    slot.clear_pending();
    EXPECT_FALSE(slot.has_pending());
    EXPECT_EQ(slot.dropped(), 0u);
}

}  // namespace
}  // namespace wscam
