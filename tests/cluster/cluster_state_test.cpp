#include "cluster/cluster_state.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace wscam::cluster {
namespace {

using namespace std::chrono_literals;

const clock::time_point t0 = clock::time_point() + 1h;

announced_stream up(const std::string& name, const std::string& source = "testsrc:") {
    return {name, true, "", "", 640, 480, 30, source};
}

announced_stream down(const std::string& name, const std::string& reason) {
    return {name, false, reason, "", 640, 480, 30, "testsrc:"};
}

announced_stream recording(announced_stream s) {
    s.recording = true;
    return s;
}

// Each announce one later than the last (nodes number their announces; an older one is a replay).
std::uint64_t next_seq = 0;

announce from(const std::string& node, std::uint64_t epoch, std::vector<announced_stream> streams,
              std::map<std::string, std::size_t> watching = {}) {
    return {node, epoch, ++next_seq, false, std::move(streams), std::move(watching)};
}

const remote_view* find_upsert(const actions& a, const std::string& stream) {
    const auto it = std::find_if(a.upsert.begin(), a.upsert.end(), [&](const auto& v) { return v.stream == stream; });
    return it == a.upsert.end() ? nullptr : &*it;
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

TEST(cluster_state, an_announced_stream_is_shown_online_with_its_owner) {
    cluster_state c("B", 200);
    const auto a = c.on_announce(from("A", 100, {up("cam")}), t0);
    ASSERT_EQ(a.upsert.size(), 1u);
    const auto& v = a.upsert[0];
    EXPECT_EQ(v.stream, "cam");
    EXPECT_EQ(v.owner, "A");
    EXPECT_EQ(v.epoch, 100u);
    EXPECT_TRUE(v.status.online);
    EXPECT_EQ(v.info.width, 640);
    EXPECT_EQ(v.info.height, 480);
    EXPECT_EQ(v.info.fps, 30);
    EXPECT_EQ(v.info.source, "nats: node A (testsrc:)");
    EXPECT_EQ(c.owner("cam"), std::make_pair(std::string("A"), std::uint64_t{100}));
    EXPECT_TRUE(c.on_announce(from("A", 100, {up("cam")}), t0 + 1s).upsert.empty()) << "nothing changed";
}

TEST(cluster_state, a_remote_streams_recordings_are_on_its_owner_at_the_address_it_announced) {
    cluster_state c("B", 200);
    auto a = from("A", 100, {up("cam")});
    a.url = "http://a.example:8080";
    c.on_announce(a, t0);
    EXPECT_EQ(c.recordings_home("cam", false, t0), std::make_pair(std::string("A"), std::string("http://a.example:8080")));
    EXPECT_EQ(c.recordings_home("nosuch", false, t0), std::nullopt);
    c.on_announce(from("C", 300, {up("door")}), t0);
    EXPECT_EQ(c.recordings_home("door", false, t0), std::make_pair(std::string("C"), std::string())) << "C said no address";
    c.set_local_streams({"door"});
    EXPECT_EQ(c.recordings_home("door", false, t0), std::nullopt) << "a local stream's recordings are here";
    // Our own address goes out in our announces; another's equal to it is not sent to (a loop).
    c.set_url("http://b.example");
    EXPECT_EQ(c.make_announce({}, false).url, "http://b.example");
    auto loop = from("A", 100, {up("cam")});
    loop.url = "http://b.example";
    c.on_announce(loop, t0 + 1s);
    EXPECT_EQ(c.recordings_home("cam", false, t0 + 1s), std::make_pair(std::string("A"), std::string()));
}

TEST(cluster_state, a_streams_recordings_are_where_it_is_recorded_now) {
    // A and C both serve cam; C records it. B relays it from A; A itself does not record it.
    cluster_state b("B", 200);
    auto a = from("A", 100, {up("cam")});
    a.url = "http://a";
    auto c = from("C", 300, {recording(up("cam"))});
    c.url = "http://c";
    b.on_announce(a, t0);
    b.on_announce(c, t0);
    EXPECT_EQ(b.recordings_home("cam", false, t0), std::make_pair(std::string("C"), std::string("http://c")));
    cluster_state self_a("A", 100);
    self_a.set_local_streams({"cam"});
    self_a.on_announce(c, t0);
    EXPECT_EQ(self_a.recordings_home("cam", false, t0), std::make_pair(std::string("C"), std::string("http://c")))
        << "a node serving it but not recording it points to the one that does";
    EXPECT_EQ(self_a.recordings_home("cam", true, t0), std::nullopt) << "recording it here: here";
    EXPECT_EQ(self_a.recordings_home("cam", false, t0 + 10s), std::nullopt) << "C gone: ours, here";
}

TEST(cluster_state, a_stream_two_nodes_serve_is_recorded_by_one) {
    // B serves cam itself, and so does A (a camera configured on both).
    cluster_state b("B", 200);
    b.set_local_streams({"cam"});
    EXPECT_TRUE(b.should_record("cam", true, false, t0)) << "alone: it records";
    b.on_announce(from("A", 100, {up("cam")}), t0);
    EXPECT_FALSE(b.should_record("cam", true, false, t0)) << "neither records yet: the smallest name (A) starts";
    b.on_announce(from("A", 100, {recording(up("cam"))}), t0 + 1s);
    EXPECT_FALSE(b.should_record("cam", true, false, t0 + 1s)) << "A records it";
    // A's camera is lost: B, online, takes over; A back online finds B recording and stays off.
    b.on_announce(from("A", 100, {recording(down("cam", "camera lost"))}), t0 + 2s);
    EXPECT_TRUE(b.should_record("cam", true, false, t0 + 2s));
    b.on_announce(from("A", 100, {up("cam")}), t0 + 3s);
    EXPECT_TRUE(b.should_record("cam", true, true, t0 + 3s)) << "B keeps it while it is online";
    // Both say they record (announces crossed): the smallest name keeps it.
    b.on_announce(from("A", 100, {recording(up("cam"))}), t0 + 4s);
    EXPECT_FALSE(b.should_record("cam", true, true, t0 + 4s));
    cluster_state a("A", 100);
    a.set_local_streams({"cam"});
    a.on_announce(from("B", 200, {recording(up("cam"))}), t0);
    EXPECT_TRUE(a.should_record("cam", true, true, t0)) << "A comes first";
    EXPECT_FALSE(a.should_record("cam", true, false, t0)) << "but does not start while B records";
    // A node that goes silent, or is offline, does not hold a stream.
    EXPECT_TRUE(a.should_record("cam", true, false, t0 + 10s)) << "B stopped announcing";
    cluster_state c("C", 300);
    c.set_local_streams({"cam"});
    c.on_announce(from("A", 100, {up("cam")}), t0);
    EXPECT_FALSE(c.should_record("cam", false, false, t0)) << "offline here, online there";
    EXPECT_TRUE(c.should_record("cam", true, false, t0 + 10s)) << "A gone";
}

TEST(cluster_state, the_owners_own_offline_reason_and_message_are_passed_on) {
    cluster_state c("B", 200);
    auto s = down("cam", "HTTP 503 from the camera");
    s.message = "rebooting";
    const auto a = c.on_announce(from("A", 100, {s}), t0);
    const auto* v = find_upsert(a, "cam");
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->status.online);
    EXPECT_EQ(v->status.reason, "HTTP 503 from the camera");
    EXPECT_EQ(v->status.message, "rebooting");
    EXPECT_TRUE(c.owner("cam")) << "an offline stream still has its owner";
}

TEST(cluster_state, a_node_silent_for_the_timeout_takes_its_streams_offline) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    EXPECT_TRUE(c.tick(t0 + 3400ms).upsert.empty());
    EXPECT_TRUE(c.owner("cam"));
    const auto a = c.tick(t0 + 3600ms);
    const auto* v = find_upsert(a, "cam");
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->status.online);
    EXPECT_EQ(v->status.reason, "node A stopped answering (no heartbeat for 3.5 s)");
    EXPECT_EQ(v->info.source, "nats: node A (testsrc:)") << "what it was stays shown";
    EXPECT_FALSE(c.owner("cam")) << "no owner: its frames are refused";
    EXPECT_TRUE(c.tick(t0 + 3800ms).upsert.empty()) << "told once";
}

TEST(cluster_state, the_timeout_in_the_reason_comes_from_the_timings) {
    timings t;
    t.node_timeout = 3000ms;
    cluster_state c("B", 200, t);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    const auto a = c.tick(t0 + 3s);
    ASSERT_TRUE(find_upsert(a, "cam"));
    EXPECT_EQ(find_upsert(a, "cam")->status.reason, "node A stopped answering (no heartbeat for 3 s)");
}

TEST(cluster_state, a_node_that_shuts_down_takes_its_streams_offline_at_once) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam")}, {}), t0);
    auto bye = from("A", 100, {}, {});
    bye.leaving = true;
    const auto a = c.on_announce(bye, t0 + 100ms);
    const auto* v = find_upsert(a, "cam");
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->status.online);
    EXPECT_EQ(v->status.reason, "node A shut down");
}

TEST(cluster_state, a_stream_its_owner_drops_goes_offline) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam"), up("yard")}), t0);
    const auto a = c.on_announce(from("A", 100, {up("yard")}), t0 + 1s);
    ASSERT_EQ(a.upsert.size(), 1u);
    EXPECT_EQ(a.upsert[0].stream, "cam");
    EXPECT_EQ(a.upsert[0].status.reason, "node A no longer serves this stream");
}

TEST(cluster_state, the_owner_is_sticky_while_alive_and_another_claimant_takes_over_when_it_dies) {
    cluster_state c("C", 300);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    EXPECT_TRUE(c.on_announce(from("B", 200, {up("cam")}), t0 + 1s).upsert.empty()) << "A is alive: it stays";
    EXPECT_EQ(c.owner("cam")->first, "A");
    c.on_announce(from("B", 200, {up("cam")}), t0 + 2s);
    c.on_announce(from("B", 200, {up("cam")}), t0 + 3s);
    const auto a = c.tick(t0 + 3600ms);
    const auto* v = find_upsert(a, "cam");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->owner, "B");
    EXPECT_EQ(v->epoch, 200u);
    EXPECT_TRUE(v->status.online) << "handed over without going offline";
    EXPECT_EQ(c.owner("cam"), std::make_pair(std::string("B"), std::uint64_t{200}));
}

// A pushing camera's stream configured on two nodes: the owner dies, the other node (no camera
// yet) takes the stream; viewers still hear what happened until the camera arrives there.
TEST(cluster_state, a_claimant_without_camera_taking_over_says_why_the_owner_was_left) {
    cluster_state c("C", 300);
    c.on_announce(from("A", 100, {up("pub")}), t0);
    c.on_announce(from("B", 200, {down("pub", "waiting for a publisher")}), t0 + 1s);
    c.on_announce(from("B", 200, {down("pub", "waiting for a publisher")}), t0 + 3s);
    const auto a = c.tick(t0 + 3600ms);
    const auto* v = find_upsert(a, "pub");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->owner, "B");
    EXPECT_FALSE(v->status.online);
    EXPECT_EQ(v->status.reason, "node A stopped answering (no heartbeat for 3.5 s); node B: waiting for a publisher");
    const auto online = c.on_announce(from("B", 200, {up("pub")}), t0 + 4s);
    ASSERT_TRUE(find_upsert(online, "pub"));
    EXPECT_TRUE(find_upsert(online, "pub")->status.online);
    // Later on, B's own reasons are B's alone.
    const auto later = c.on_announce(from("B", 200, {down("pub", "waiting for a publisher")}), t0 + 5s);
    ASSERT_TRUE(find_upsert(later, "pub"));
    EXPECT_EQ(find_upsert(later, "pub")->status.reason, "waiting for a publisher");
}

// The same pushing camera's stream on A and B, heard from B first; the camera pushes to A.
TEST(cluster_state, an_owner_without_camera_gives_way_to_a_claimant_with_one) {
    cluster_state c("C", 300);
    c.on_announce(from("B", 200, {down("pub", "waiting for a publisher")}), t0);
    c.on_announce(from("A", 100, {down("pub", "waiting for a publisher")}), t0 + 100ms);
    EXPECT_EQ(c.owner("pub")->first, "B") << "heard first, and nobody has the camera";
    const auto a = c.on_announce(from("A", 100, {up("pub")}), t0 + 1s);
    const auto* v = find_upsert(a, "pub");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->owner, "A");
    EXPECT_TRUE(v->status.online);
    // Once A has it, B getting a camera too does not move the stream.
    EXPECT_TRUE(c.on_announce(from("B", 200, {up("pub")}), t0 + 2s).upsert.empty());
    EXPECT_EQ(c.owner("pub")->first, "A");
}

TEST(cluster_state, without_its_owner_a_stream_goes_to_an_online_claimant_first_then_the_smallest_node_name) {
    cluster_state c("Z", 900);
    c.on_announce(from("M", 1, {up("cam")}), t0);
    c.on_announce(from("K", 2, {down("cam", "off")}), t0 + 1s);
    c.on_announce(from("Q", 3, {up("cam")}), t0 + 1s);
    c.on_announce(from("P", 4, {up("cam")}), t0 + 1s);
    EXPECT_EQ(c.owner("cam")->first, "M");
    c.tick(t0 + 3600ms);  // M is gone; K, P and Q are alive
    EXPECT_EQ(c.owner("cam"), std::make_pair(std::string("P"), std::uint64_t{4})) << "K is offline; P < Q";
}

TEST(cluster_state, a_stream_without_owner_goes_to_the_first_node_that_claims_it) {
    cluster_state c("Z", 900);
    c.on_announce(from("A", 1, {down("cam", "off")}), t0);
    c.tick(t0 + 3600ms);
    EXPECT_FALSE(c.owner("cam"));
    c.on_announce(from("D", 4, {down("cam", "starting")}), t0 + 4s);
    EXPECT_EQ(c.owner("cam")->first, "D");
}

TEST(cluster_state, an_owner_that_restarts_is_followed_to_its_new_epoch) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    const auto a = c.on_announce(from("A", 150, {up("cam")}), t0 + 1s);
    ASSERT_TRUE(find_upsert(a, "cam"));
    EXPECT_EQ(c.owner("cam"), std::make_pair(std::string("A"), std::uint64_t{150}));
    EXPECT_TRUE(c.on_announce(from("A", 100, {}), t0 + 1500ms).upsert.empty()) << "a late word from the old run";
    EXPECT_EQ(c.owner("cam")->second, 150u);
}

TEST(cluster_state, a_stream_comes_back_online_when_its_owner_returns) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    c.tick(t0 + 4s);
    const auto a = c.on_announce(from("A", 400, {up("cam")}), t0 + 10s);
    const auto* v = find_upsert(a, "cam");
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->status.online);
    EXPECT_EQ(v->epoch, 400u);
}

TEST(cluster_state, a_local_stream_shadows_a_remote_one_of_the_same_name) {
    cluster_state c("B", 200);
    c.set_local_streams({"cam"});
    const auto a = c.on_announce(from("A", 100, {up("cam"), up("yard")}), t0);
    EXPECT_FALSE(find_upsert(a, "cam"));
    EXPECT_TRUE(find_upsert(a, "yard"));
    EXPECT_FALSE(c.owner("cam"));
    c.set_local_streams({"cam", "yard"});
    EXPECT_FALSE(c.owner("yard")) << "dropped: the glue released it";
    EXPECT_TRUE(c.set_local_viewers("yard", 1, t0).subscribe.empty());
    c.set_local_streams({});
    EXPECT_TRUE(find_upsert(c.tick(t0 + 1s), "yard")) << "remote again once no longer local";
}

TEST(cluster_state, our_own_announce_is_ignored) {
    cluster_state c("B", 200);
    EXPECT_TRUE(c.on_announce(from("B", 200, {up("cam")}), t0).upsert.empty());
    EXPECT_TRUE(c.on_announce(from("B", 999, {up("cam")}), t0).upsert.empty()) << "another node with our name";
    EXPECT_FALSE(c.owner("cam"));
}

TEST(cluster_state, viewers_subscribe_at_once_and_unsubscribe_after_the_linger) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    auto a = c.set_local_viewers("cam", 1, t0);
    EXPECT_EQ(a.subscribe, std::vector<std::string>{"cam"});
    EXPECT_TRUE(a.announce_now);
    a = c.set_local_viewers("cam", 2, t0);
    EXPECT_TRUE(a.subscribe.empty());
    EXPECT_FALSE(a.announce_now) << "the count rides on the next heartbeat";
    a = c.set_local_viewers("cam", 0, t0 + 1s);
    EXPECT_TRUE(a.unsubscribe.empty());
    c.on_announce(from("A", 100, {up("cam")}), t0 + 2s);
    EXPECT_TRUE(c.tick(t0 + 2900ms).unsubscribe.empty());
    a = c.tick(t0 + 3s);
    EXPECT_EQ(a.unsubscribe, std::vector<std::string>{"cam"});
    EXPECT_TRUE(a.announce_now);
    EXPECT_TRUE(c.tick(t0 + 3100ms).unsubscribe.empty()) << "once";
}

TEST(cluster_state, a_viewer_back_within_the_linger_keeps_the_subscription) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    c.set_local_viewers("cam", 1, t0);
    c.set_local_viewers("cam", 0, t0 + 100ms);
    const auto a = c.set_local_viewers("cam", 1, t0 + 1s);
    EXPECT_TRUE(a.subscribe.empty());
    EXPECT_TRUE(c.tick(t0 + 3s).unsubscribe.empty());
}

TEST(cluster_state, the_announce_carries_what_this_node_watches) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam"), up("yard"), up("door")}), t0);
    c.set_local_viewers("cam", 3, t0);
    c.set_local_viewers("yard", 1, t0);
    c.set_local_viewers("yard", 0, t0 + 100ms);  // lingering
    auto a = c.make_announce({up("mine")}, false);
    EXPECT_EQ(a.node, "B");
    EXPECT_EQ(a.epoch, 200u);
    EXPECT_EQ(a.seq, 1u);
    EXPECT_EQ(a.streams, std::vector<announced_stream>{up("mine")});
    EXPECT_EQ(a.watching, (std::map<std::string, std::size_t>{{"cam", 3}, {"yard", 1}}));
    a = c.make_announce({}, true);
    EXPECT_EQ(a.seq, 2u);
    EXPECT_TRUE(a.leaving);
    EXPECT_TRUE(a.watching.empty());
}

TEST(cluster_state, remote_interest_sums_the_nodes_and_drops_a_silent_one) {
    cluster_state c("A", 100);
    c.set_local_streams({"cam"});
    auto a = c.on_announce(from("B", 200, {}, {{"cam", 2}}), t0);
    EXPECT_TRUE(contains(a.interest_changed, "cam"));
    EXPECT_EQ(c.remote_interest("cam"), 2u);
    c.on_announce(from("C", 300, {}, {{"cam", 3}, {"other", 9}}), t0 + 2s);
    EXPECT_EQ(c.remote_interest("cam"), 5u);
    EXPECT_EQ(c.remote_interest("other"), 0u) << "only local streams";
    EXPECT_TRUE(c.on_announce(from("C", 300, {}, {{"cam", 3}}), t0 + 2500ms).interest_changed.empty());
    EXPECT_TRUE(c.tick(t0 + 3400ms).interest_changed.empty());
    a = c.tick(t0 + 3600ms);
    EXPECT_TRUE(contains(a.interest_changed, "cam"));
    EXPECT_EQ(c.remote_interest("cam"), 3u) << "B is gone";
    auto bye = from("C", 300, {}, {{"cam", 3}});
    bye.leaving = true;
    a = c.on_announce(bye, t0 + 4s);
    EXPECT_TRUE(contains(a.interest_changed, "cam"));
    EXPECT_EQ(c.remote_interest("cam"), 0u);
}

TEST(cluster_state, a_node_that_starts_watching_a_local_stream_is_a_new_watcher) {
    cluster_state c("A", 100);
    c.set_local_streams({"cam"});
    EXPECT_TRUE(c.on_announce(from("B", 200, {}, {}), t0).new_watchers.empty());
    auto a = c.on_announce(from("B", 200, {}, {{"cam", 1}}), t0 + 1s);
    EXPECT_EQ(a.new_watchers, std::vector<std::string>{"cam"});
    EXPECT_TRUE(c.on_announce(from("B", 200, {}, {{"cam", 2}}), t0 + 2s).new_watchers.empty()) << "still watching";
    EXPECT_EQ(c.on_announce(from("C", 300, {}, {{"cam", 1}}), t0 + 2s).new_watchers, std::vector<std::string>{"cam"});
    EXPECT_TRUE(c.on_announce(from("D", 400, {}, {{"yard", 1}}), t0 + 2s).new_watchers.empty()) << "not ours";
}

TEST(cluster_state, a_lost_link_takes_every_remote_stream_offline_after_the_timeout) {
    cluster_state c("C", 300);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    c.on_announce(from("B", 200, {up("yard")}), t0);
    c.on_link(false, t0 + 100ms);
    EXPECT_TRUE(c.tick(t0 + 3400ms).upsert.empty());
    const auto a = c.tick(t0 + 3700ms);
    ASSERT_EQ(a.upsert.size(), 2u);
    for (const auto& v : a.upsert) {
        EXPECT_FALSE(v.status.online);
        EXPECT_EQ(v.status.reason, "no connection to the NATS cluster");
    }
    EXPECT_TRUE(c.on_link(true, t0 + 5s).announce_now) << "back: tell the others at once";
    const auto back = c.on_announce(from("A", 100, {up("cam")}), t0 + 5500ms);
    ASSERT_TRUE(find_upsert(back, "cam"));
    EXPECT_TRUE(find_upsert(back, "cam")->status.online);
}

TEST(cluster_state, a_stream_without_claimant_is_forgotten_after_ten_minutes) {
    cluster_state c("B", 200);
    c.on_announce(from("A", 100, {up("cam")}), t0);
    c.set_local_viewers("cam", 1, t0);
    c.tick(t0 + 4s);  // offline since
    EXPECT_TRUE(c.tick(t0 + 4s + 599s).forget.empty());
    const auto a = c.tick(t0 + 4s + 600s);
    ASSERT_EQ(a.forget.size(), 1u);
    EXPECT_EQ(a.forget[0], std::make_pair(std::string("cam"), std::string("stream left the cluster")));
    EXPECT_EQ(a.unsubscribe, std::vector<std::string>{"cam"}) << "its frame subscription goes too";
    EXPECT_TRUE(c.tick(t0 + 4s + 601s).forget.empty());
    EXPECT_TRUE(c.set_local_viewers("cam", 2, t0 + 4s + 602s).subscribe.empty()) << "it is gone";
    EXPECT_TRUE(c.make_announce({}, false).watching.empty());
}

TEST(cluster_state, an_offline_stream_whose_owner_still_claims_it_is_never_forgotten) {
    cluster_state c("B", 200);
    for (auto t = 0s; t <= 700s; t += 1s) {
        const auto a = c.on_announce(from("A", 100, {down("cam", "no signal")}), t0 + t);
        EXPECT_TRUE(c.tick(t0 + t + 500ms).forget.empty());
        EXPECT_TRUE(a.forget.empty());
    }
}

TEST(cluster_state, tick_asks_for_the_heartbeat) {
    cluster_state c("B", 200);
    EXPECT_TRUE(c.tick(t0).announce_now);
    EXPECT_FALSE(c.tick(t0 + 250ms).announce_now);
    EXPECT_FALSE(c.tick(t0 + 750ms).announce_now);
    EXPECT_TRUE(c.tick(t0 + 1s).announce_now);
}

// Issue 21: what one NATS publisher can do to a relay's view of the cluster.
TEST(cluster_state, an_older_announce_of_the_same_run_is_a_replay_and_ignored) {
    cluster_state c("B", 200);
    const auto first = from("A", 100, {up("cam")});
    c.on_announce(first, t0);
    auto later = from("A", 100, {down("cam", "no signal")});
    ASSERT_TRUE(find_upsert(c.on_announce(later, t0 + 1s), "cam"));
    // The first announce again (a recording of it, sent by anyone on the NATS): nothing changes.
    EXPECT_TRUE(c.on_announce(first, t0 + 2s).upsert.empty());
    EXPECT_TRUE(c.on_announce(later, t0 + 2s).upsert.empty()) << "the same one twice";
    EXPECT_TRUE(find_upsert(c.on_announce(from("A", 100, {up("cam")}), t0 + 3s), "cam"));
}

TEST(cluster_state, at_most_max_nodes_other_nodes_and_a_silent_one_makes_room) {
    cluster_state c("B", 200, {}, bounds{3, 1024});
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(find_upsert(c.on_announce(from("N" + std::to_string(i), 1, {up("s" + std::to_string(i))}), t0), "s" + std::to_string(i)));
    EXPECT_TRUE(c.on_announce(from("X", 1, {up("x")}), t0 + 1s).upsert.empty()) << "a fourth node is ignored";
    EXPECT_FALSE(c.owner("x"));
    // N0 goes silent; the others keep announcing: after the node timeout, X is taken in its place.
    for (auto t = 1s; t <= 4s; t += 1s)
        for (int i = 1; i < 3; ++i) c.on_announce(from("N" + std::to_string(i), 1, {up("s" + std::to_string(i))}), t0 + t);
    EXPECT_TRUE(find_upsert(c.on_announce(from("X", 1, {up("x")}), t0 + 4s), "x"));
    EXPECT_EQ(c.owner("x"), std::make_pair(std::string("X"), std::uint64_t{1}));
}

TEST(cluster_state, at_most_max_remote_streams_and_one_lost_longest_makes_room) {
    cluster_state c("B", 200, {}, bounds{64, 4});
    std::vector<announced_stream> many;
    for (int i = 0; i < 10; ++i) many.push_back(up("s" + std::to_string(i)));
    const auto a = c.on_announce(from("A", 1, many), t0);
    EXPECT_EQ(a.upsert.size(), 4u) << "four of A's ten streams are shown";
    EXPECT_TRUE(c.on_announce(from("C", 1, {up("c")}), t0 + 1s).upsert.empty()) << "full: none is lost";
    // A goes silent: its streams are lost; C's stream takes the place of one of them.
    const auto b = c.on_announce(from("C", 1, {up("c")}), t0 + 5s);
    EXPECT_TRUE(find_upsert(b, "c"));
    EXPECT_EQ(b.forget.size(), 1u);
    EXPECT_TRUE(c.owner("c"));
}

// A flood of claims can delay a live owner's announces past the node timeout: a stream watched
// here is never the one that makes room (found under ASan: a watched stream was evicted).
TEST(cluster_state, a_stream_watched_here_is_never_evicted_to_make_room) {
    cluster_state c("B", 200, {}, bounds{64, 2});
    c.on_announce(from("A", 1, {up("cam"), up("yard")}), t0);
    ASSERT_FALSE(c.set_local_viewers("cam", 1, t0).subscribe.empty());
    // A is late (its announces stuck behind a flood); X claims a new stream.
    const auto a = c.on_announce(from("X", 1, {up("x")}), t0 + 5s);
    ASSERT_EQ(a.forget.size(), 1u);
    EXPECT_EQ(a.forget[0].first, "yard") << "the unwatched one made room";
    EXPECT_TRUE(c.on_announce(from("Y", 1, {up("y")}), t0 + 6s).forget.empty()) << "cam is watched: no room";
    EXPECT_FALSE(c.owner("y"));
}

// Issue 21 review: a node that left stayed "left" only while remembered as fresh, so its
// recorded (signed) announces, replayed within the signature's minute, brought it back online.
TEST(cluster_state, a_recorded_announce_of_a_run_that_left_does_not_bring_it_back) {
    cluster_state c("B", 200);
    const auto alive = from("A", 100, {up("cam")});
    c.on_announce(alive, t0);
    auto leaving = from("A", 100, {});
    leaving.leaving = true;
    ASSERT_EQ(find_upsert(c.on_announce(leaving, t0 + 1s), "cam")->status.online, false);
    EXPECT_TRUE(c.on_announce(alive, t0 + 2s).upsert.empty()) << "an older announce of the run that left";
    auto made_up = from("A", 100, {up("cam")});  // a newer number of that run: it said it was leaving
    EXPECT_TRUE(c.on_announce(made_up, t0 + 3s).upsert.empty());
    const auto back = c.on_announce(from("A", 101, {up("cam")}), t0 + 4s);
    ASSERT_TRUE(find_upsert(back, "cam")) << "a new run of A is heard";
    EXPECT_TRUE(find_upsert(back, "cam")->status.online);
}

// Issue 21 review: with the node table full of a peer's nodes, the owner of a watched stream
// that restarted lost its place to one of them and its viewers here stayed frozen.
TEST(cluster_state, the_owner_of_a_watched_stream_keeps_its_place_when_the_table_is_full) {
    cluster_state c("B", 200, {}, bounds{3, 1024});
    c.on_announce(from("A", 1, {up("cam")}), t0);
    ASSERT_FALSE(c.set_local_viewers("cam", 1, t0).subscribe.empty());
    c.on_announce(from("N1", 1, {up("s1")}), t0);
    c.on_announce(from("N2", 1, {up("s2")}), t0);
    auto leaving = from("A", 1, {});
    leaving.leaving = true;
    c.on_announce(leaving, t0 + 1s);
    EXPECT_FALSE(c.owner("x"));
    EXPECT_TRUE(c.on_announce(from("X", 1, {up("x")}), t0 + 2s).upsert.empty()) << "no room: A owns a watched stream";
    const auto back = c.on_announce(from("A", 2, {up("cam")}), t0 + 3s);
    ASSERT_TRUE(find_upsert(back, "cam"));
    EXPECT_EQ(c.owner("cam"), std::make_pair(std::string("A"), std::uint64_t{2}));
}

// Issue 21 review: 64 nodes of a peer that only announce filled a restarted owner's table before
// the relay watching its stream was heard: the owner never sent it a frame.
TEST(cluster_state, a_node_watching_our_stream_takes_the_place_of_one_that_only_announces) {
    cluster_state c("A", 200, {}, bounds{3, 1024});
    c.set_local_streams({"cam"});
    for (int i = 0; i < 3; ++i) c.on_announce(from("F" + std::to_string(i), 1, {up("f" + std::to_string(i))}), t0);
    EXPECT_TRUE(c.on_announce(from("X", 1, {up("x")}), t0 + 1s).upsert.empty()) << "full: a newcomer that does not watch ours waits";
    c.on_announce(from("B", 1, {}, {{"cam", 2}}), t0 + 1s);
    EXPECT_EQ(c.remote_interest("cam"), 2u) << "B is heard: its viewers count for our camera";
    // B, watching ours, is kept in its turn: another newcomer that watches ours takes a filler's place.
    c.on_announce(from("C", 1, {}, {{"cam", 1}}), t0 + 2s);
    EXPECT_EQ(c.remote_interest("cam"), 3u);
    EXPECT_FALSE(find_upsert(c.on_announce(from("D", 1, {}, {{"cam", 1}}), t0 + 2s), "f2")->status.online)
        << "the last filler made room: its stream is lost";
    EXPECT_EQ(c.remote_interest("cam"), 4u);
    c.on_announce(from("E", 1, {}, {{"cam", 1}}), t0 + 2s);
    EXPECT_EQ(c.remote_interest("cam"), 4u) << "no filler left: B, C and D stay";
}

}  // namespace
}  // namespace wscam::cluster
