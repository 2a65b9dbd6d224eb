#include "events/event_store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../record/temp_folder.hpp"
#include "events/motion_event.hpp"

namespace wscam::events {
namespace {

constexpr std::int64_t s = 1'000'000;

motion_event event(const std::string& stream, std::int64_t start, std::int64_t end = 0) {
    motion_event e;
    e.stream = stream;
    e.id = e.start_us = start;
    e.end_us = end;
    e.peak_us = start + s / 10;
    e.score = 0.0125;
    e.box = {0.25, 0.5, 0.125, 0.0625};
    e.width = 640;
    e.height = 480;
    return e;
}

TEST(event_store, keeps_events_with_their_snapshot_and_lists_a_range_newest_first) {
    record::temp_folder dir("wscam-events");
    event_store store(dir.path / "events.sqlite3");
    const std::vector<std::uint8_t> jpeg{0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9};
    store.put(event("cam", 100 * s), jpeg);
    store.put(event("cam", 200 * s, 210 * s), jpeg);
    store.put(event("yard", 150 * s, 160 * s), {});
    auto started = event("cam", 100 * s, 130 * s);  // its end, with no new snapshot: the old one stays
    store.put(started, {});
    EXPECT_EQ(store.find("cam", 100 * s), started);
    EXPECT_EQ(store.snapshot("cam", 100 * s), jpeg);
    EXPECT_EQ(store.snapshot("yard", 150 * s), std::nullopt) << "none given";
    EXPECT_EQ(store.snapshot("cam", 1), std::nullopt);

    auto ids = [](const std::vector<motion_event>& v) {
        std::vector<std::int64_t> out;
        for (const auto& e : v) out.push_back(e.id / s);
        return out;
    };
    EXPECT_EQ(ids(store.list("cam", 0, 1000 * s, 10)), (std::vector<std::int64_t>{200, 100}));
    EXPECT_EQ(ids(store.list("cam", 131 * s, 199 * s, 10)), (std::vector<std::int64_t>{})) << "between them";
    EXPECT_EQ(ids(store.list("cam", 120 * s, 205 * s, 10)), (std::vector<std::int64_t>{200, 100})) << "overlapping";
    EXPECT_EQ(ids(store.list("", 0, 1000 * s, 2)), (std::vector<std::int64_t>{200, 150})) << "every stream, limited";

    store.put(event("cam", 300 * s), jpeg);  // left open by a crash
    EXPECT_EQ(store.close_unfinished(), 1u);
    EXPECT_EQ(store.find("cam", 300 * s)->end_us, 300 * s + s / 10) << "ends at its peak";
}

TEST(event_store, retention_by_age_then_by_the_snapshots_bytes) {
    record::temp_folder dir("wscam-events");
    event_store store(dir.path / "events.sqlite3");
    const std::vector<std::uint8_t> kb(1000, 7);
    for (int i = 1; i <= 5; ++i) store.put(event("cam", i * 100 * s, i * 100 * s + s), kb);
    EXPECT_EQ(store.expire(150 * s, 0), 1u) << "ended before 150 s";
    EXPECT_EQ(store.list("cam", 0, 1000 * s, 10).size(), 4u);
    EXPECT_EQ(store.expire(0, 2500), 2u) << "the newest two fit in 2500 bytes";
    const auto left = store.list("cam", 0, 1000 * s, 10);
    ASSERT_EQ(left.size(), 2u);
    EXPECT_EQ(left[1].id, 400 * s);
}

TEST(event_store, a_table_of_another_shape_is_refused) {
    record::temp_folder dir("wscam-events");
    {
        event_store store(dir.path / "events.sqlite3");
    }
    EXPECT_NO_THROW(event_store(dir.path / "events.sqlite3")) << "opened again";
    std::filesystem::create_directory(dir.path / "folder.sqlite3");
    EXPECT_THROW(event_store(dir.path / "folder.sqlite3"), record::sqlite_error);
}

TEST(motion_event, json_has_both_time_forms_and_null_end_while_it_goes_on) {
    const auto open = to_json(event("cam", 1'765'089'000 * s));
    EXPECT_EQ(open["start"], "2025-12-07T06:30:00.000000Z");
    EXPECT_TRUE(open["end"].is_null());
    EXPECT_TRUE(open["end_us"].is_null());
    EXPECT_EQ(open["snapshot"], "/api/events/cam/1765089000000000.jpg");
    EXPECT_EQ(open["box"]["w"], 0.125);
    const auto done = to_json(event("cam", 1'765'089'000 * s, 1'765'089'002 * s));
    EXPECT_EQ(done["end_us"], 1'765'089'002 * s);
    EXPECT_EQ(done["kind"], "motion");
}

}  // namespace
}  // namespace wscam::events
