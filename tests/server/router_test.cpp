#include "server/router.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

route r(std::string_view target, bool upgrade = false, bool ws_only = false) {
    return match_route(target, upgrade, ws_only, "default");
}

TEST(router, upgrades_on_root_ws_and_named_streams) {
    EXPECT_EQ(r("/", true).kind, route_kind::viewer_ws);
    EXPECT_EQ(r("/", true).stream, "default");
    EXPECT_EQ(r("/ws", true).stream, "default");
    EXPECT_EQ(r("/ws/garage", true).stream, "garage");
    EXPECT_EQ(r("/ws?stream=porch", true).stream, "porch");
    EXPECT_EQ(r("/ws/../etc", true).kind, route_kind::not_found);
    EXPECT_EQ(r("/other", true).kind, route_kind::not_found);
}

TEST(router, ws_only_listener_upgrades_any_path_and_serves_nothing_else) {
    EXPECT_EQ(r("/", true, true).stream, "default");
    EXPECT_EQ(r("/anything", true, true).stream, "default");
    EXPECT_EQ(r("/ws/garage", true, true).stream, "garage");
    EXPECT_EQ(r("/", false, true).kind, route_kind::not_found);
}

TEST(router, pages_api_and_snapshots) {
    EXPECT_EQ(r("/").kind, route_kind::page);
    EXPECT_EQ(r("/?stream=garage").stream, "garage");
    EXPECT_EQ(r("/view/garage").kind, route_kind::page);
    EXPECT_EQ(r("/view/garage").stream, "garage");
    EXPECT_EQ(r("/embed/garage").kind, route_kind::page);
    EXPECT_EQ(r("/embed/garage").stream, "garage");
    EXPECT_EQ(r("/embed/garage").path, "embed.html");
    EXPECT_EQ(r("/embed/../x").kind, route_kind::not_found);
    EXPECT_EQ(r("/embed/").kind, route_kind::not_found);
    EXPECT_EQ(r("/api/origin").kind, route_kind::origin_check);
    EXPECT_EQ(r("/healthz").kind, route_kind::health);
    EXPECT_EQ(r("/api/streams").kind, route_kind::api_streams);
    EXPECT_EQ(r("/snapshot/default.jpg").kind, route_kind::snapshot);
    EXPECT_EQ(r("/snapshot/default.jpg").stream, "default");
    EXPECT_EQ(r("/snapshot/.jpg").kind, route_kind::not_found);
    EXPECT_EQ(r("/stream/porch.mjpg?fps=2").kind, route_kind::mjpeg);
    EXPECT_EQ(r("/stream/porch.mjpg").stream, "porch");
    EXPECT_EQ(r("/stream/.mjpg").kind, route_kind::not_found);
    EXPECT_EQ(r("/stream/..%2fx.mjpg").kind, route_kind::not_found);
    EXPECT_EQ(r("/stream/porch.mjpeg").kind, route_kind::not_found);
    EXPECT_EQ(r("/api/recordings/porch?from=0").kind, route_kind::recordings);
    EXPECT_EQ(r("/api/recordings/porch").stream, "porch");
    EXPECT_EQ(r("/api/recordings/").kind, route_kind::not_found);
    EXPECT_EQ(r("/api/events/porch?from=0&limit=5").kind, route_kind::events);
    EXPECT_EQ(r("/api/events/porch").stream, "porch");
    EXPECT_EQ(r("/api/events/").kind, route_kind::not_found);
    const auto snap = r("/api/events/porch/1765089000123456.jpg");
    EXPECT_EQ(snap.kind, route_kind::event_snapshot);
    EXPECT_EQ(snap.stream, "porch");
    EXPECT_EQ(snap.path, "1765089000123456");
    EXPECT_EQ(r("/api/events/porch/12a.jpg").kind, route_kind::not_found);
    EXPECT_EQ(r("/api/events/porch/.jpg").kind, route_kind::not_found);
    EXPECT_EQ(r("/api/events/porch/1234567890123456789.jpg").kind, route_kind::not_found) << "past int64";
    EXPECT_EQ(r("/api/events/porch/12").kind, route_kind::not_found);
    EXPECT_EQ(r("/api/events/po%20rch/12.jpg").kind, route_kind::not_found);
    const auto seg = r("/recordings/porch/20261207T063000.123456Z.mp4");
    EXPECT_EQ(seg.kind, route_kind::recording);
    EXPECT_EQ(seg.stream, "porch");
    EXPECT_EQ(seg.path, "20261207T063000.123456Z.mp4");
    EXPECT_EQ(r("/recordings/porch/export.mp4?from=0&to=10").kind, route_kind::recording_export);
    EXPECT_EQ(r("/recordings/porch/export.mp4").stream, "porch");
    EXPECT_EQ(r("/recordings/porch/snapshot.jpg?at=5").kind, route_kind::recording_snapshot);
    EXPECT_EQ(r("/recordings/porch/frames?from=5&count=10").kind, route_kind::recording_frames);
    EXPECT_EQ(r("/recordings/porch/snapshot.jpg").stream, "porch");
    // Only the recorder's own names: nothing else in the folder.
    for (const char* other : {"/recordings/porch/index.sqlite3", "/recordings/porch/../index.sqlite3",
                              "/recordings/porch/..%2Findex.sqlite3", "/recordings/porch/a/20261207T063000.123456Z.mp4",
                              "/recordings/../20261207T063000.123456Z.mp4", "/recordings/porch",
                              "/recordings/porch/.export-1-1.mp4", "/recordings/../export.mp4", "/recordings/porch/export.mp4/x",
                              "/recordings//snapshot.jpg"})
        EXPECT_EQ(r(other).kind, route_kind::not_found) << other;
}

TEST(router, assets_are_plain_names_without_traversal) {
    EXPECT_EQ(r("/viewer.js").kind, route_kind::asset);
    EXPECT_EQ(r("/viewer.js").path, "viewer.js");
    EXPECT_EQ(r("/../secret").kind, route_kind::not_found);
    EXPECT_EQ(r("/a/b.js").kind, route_kind::not_found);
    EXPECT_EQ(r("/.env").kind, route_kind::not_found);
    EXPECT_EQ(r("relative").kind, route_kind::not_found);
    EXPECT_EQ(r("").kind, route_kind::not_found);
}

TEST(router, query_params_are_decoded) {
    EXPECT_EQ(query_param("/x?a=1&token=a%2Bb", "token"), "a+b");
    EXPECT_EQ(query_param("/x?a=1", "token"), "");
    EXPECT_EQ(query_param("/x?token", "token"), "");
    EXPECT_EQ(query_param("/x?token=%zz", "token"), "");
}

TEST(router, a_target_loses_its_token_and_keeps_the_rest) {
    EXPECT_EQ(without_token("/api/recordings/cam?from=0&token=v&to=5"), "/api/recordings/cam?from=0&to=5");
    EXPECT_EQ(without_token("/api/recordings/cam?token=v"), "/api/recordings/cam");
    EXPECT_EQ(without_token("/x?token=a&token=b&tokens=c"), "/x?tokens=c");
    EXPECT_EQ(without_token("/x?token"), "/x");
    EXPECT_EQ(without_token("/x"), "/x");
    EXPECT_EQ(without_token("/x?a=1&&b=2"), "/x?a=1&b=2");
    EXPECT_EQ(without_token("/x?TOKEN=a&Token=b&%74oken=c&token%3Dd&a=1"), "/x?a=1") << "any spelling a client may have meant";
}

TEST(router, a_malformed_query_value_is_told_apart_from_an_absent_one) {
    // A DELETE without `to` deletes up to now: a typo (`to=...%`) must not read as "no to".
    EXPECT_EQ(query_value("/x?to=5", "to"), "5");
    EXPECT_EQ(query_value("/x?a=1", "to"), "");
    EXPECT_EQ(query_value("/x", "to"), "");
    EXPECT_EQ(query_value("/x?to=", "to"), "");
    EXPECT_EQ(query_value("/x?to=5%", "to"), std::nullopt);
    EXPECT_EQ(query_value("/x?to=%zz", "to"), std::nullopt);
    EXPECT_EQ(query_value("/x?from=%zz&to=5", "to"), "5") << "another parameter's fault is not this one's";
}

TEST(router, an_events_recordings_clip_starts_and_stops) {
    const auto start = r("/api/recordings/porch/clip/start");
    EXPECT_EQ(start.kind, route_kind::recording_clip);
    EXPECT_EQ(start.stream, "porch");
    EXPECT_EQ(start.path, "start");
    EXPECT_EQ(r("/api/recordings/porch/clip/stop?token=x").path, "stop");
    for (const char* other : {"/api/recordings/porch/clip/", "/api/recordings/porch/clip/pause", "/api/recordings/clip/start",
                              "/api/recordings/a/b/clip/start", "/api/recordings/porch/clip/start/x"})
        EXPECT_NE(r(other).kind, route_kind::recording_clip) << other;
}

TEST(router, timelapse_files_and_nothing_else_beside_them) {
    const auto t = r("/recordings/porch/timelapse/2026-12-07.mp4");
    EXPECT_EQ(t.kind, route_kind::recording_timelapse);
    EXPECT_EQ(t.stream, "porch");
    EXPECT_EQ(t.path, "2026-12-07.mp4");
    EXPECT_EQ(r("/recordings/porch/timelapse/2026-12-07-2.mp4").path, "2026-12-07-2.mp4");
    for (const char* other : {"/recordings/porch/timelapse/", "/recordings/porch/timelapse/../index.sqlite3",
                              "/recordings/porch/timelapse/2026-12-07-1.mp4", "/recordings/porch/timelapse/2026-12-07-02.mp4",
                              "/recordings/porch/timelapse/2026-12-7.mp4", "/recordings/porch/timelapse/2026-12-07.mp4/x",
                              "/recordings/porch/timelapse/x/2026-12-07.mp4", "/recordings/../timelapse/2026-12-07.mp4",
                              "/recordings/porch/timelapse/2026-12-07-10000.mp4"})
        EXPECT_EQ(r(other).kind, route_kind::not_found) << other;
}

}  // namespace
}  // namespace wscam
