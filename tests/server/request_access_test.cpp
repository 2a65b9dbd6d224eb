#include "server/request_access.hpp"

#include <gtest/gtest.h>

#include <array>
#include <utility>

namespace wscam {
namespace {

// Routes that need the view token, each with the stream it asks for ("": the server-wide ones).
const std::array<std::pair<route_kind, std::string>, 13> view_routes{{{route_kind::viewer_ws, "cam"},
                                                                     {route_kind::snapshot, "cam"},
                                                                     {route_kind::mjpeg, "cam"},
                                                                     {route_kind::recordings, "cam"},
                                                                     {route_kind::recording, "cam"},
                                                                     {route_kind::recording_export, "cam"},
                                                                     {route_kind::recording_snapshot, "cam"},
                                                                     {route_kind::recording_frames, "cam"},
                                                                     {route_kind::recording_timelapse, "cam"},
                                                                     {route_kind::events, "cam"},
                                                                     {route_kind::event_snapshot, "cam"},
                                                                     {route_kind::api_streams, ""},
                                                                     {route_kind::metrics, ""}}};

const char* name(route_kind k) {
    switch (k) {
    case route_kind::page: return "page";
    case route_kind::asset: return "asset";
    case route_kind::viewer_ws: return "viewer_ws";
    case route_kind::publish_ws: return "publish_ws";
    case route_kind::health: return "health";
    case route_kind::api_streams: return "api_streams";
    case route_kind::metrics: return "metrics";
    case route_kind::snapshot: return "snapshot";
    case route_kind::mjpeg: return "mjpeg";
    case route_kind::recordings: return "recordings";
    case route_kind::recording: return "recording";
    case route_kind::recording_export: return "recording_export";
    case route_kind::recording_snapshot: return "recording_snapshot";
    case route_kind::recording_frames: return "recording_frames";
    case route_kind::recording_timelapse: return "recording_timelapse";
    case route_kind::recordings_delete: return "recordings_delete";
    case route_kind::recording_clip: return "recording_clip";
    case route_kind::events: return "events";
    case route_kind::event_snapshot: return "event_snapshot";
    case route_kind::origin_check: return "origin_check";
    case route_kind::not_found: return "not_found";
    }
    return "?";
}

/** shows_source with a budget of its own (one request per call). */
bool shows(const stream_access_table& t, const std::string& stream, std::string_view token) {
    verifier_budget budget;
    return shows_source(t, stream, token, budget);
}

stream_access_table server_wide(std::string view, std::string control = {}) {
    stream_access_table t;
    t.view_token = std::move(view);
    t.control_token = std::move(control);
    return t;
}

access_verdict verdict(route_kind k, const std::string& stream, std::string_view token, const stream_access_table& t) {
    return decide_access(k, stream, token, t, nullptr);
}

// --- the table ---

TEST(request_access, the_table_names_the_token_of_every_route_kind) {
    EXPECT_EQ(token_needed_for(route_kind::page), token_need::nothing);
    EXPECT_EQ(token_needed_for(route_kind::asset), token_need::nothing);
    EXPECT_EQ(token_needed_for(route_kind::health), token_need::nothing);
    EXPECT_EQ(token_needed_for(route_kind::origin_check), token_need::nothing);
    EXPECT_EQ(token_needed_for(route_kind::not_found), token_need::nothing);
    for (const auto& [k, stream] : view_routes) EXPECT_EQ(token_needed_for(k), token_need::view) << name(k);
    EXPECT_EQ(token_needed_for(route_kind::publish_ws), token_need::publish);
    EXPECT_EQ(token_needed_for(route_kind::recordings_delete), token_need::control);
    EXPECT_EQ(token_needed_for(route_kind::recording_clip), token_need::control);
}

TEST(request_access, exactly_the_routes_that_need_a_token_guard_camera_data) {
    for (const auto k : {route_kind::page, route_kind::asset, route_kind::health, route_kind::origin_check, route_kind::not_found})
        EXPECT_FALSE(guards_camera(k)) << name(k);
    for (const auto& [k, stream] : view_routes) EXPECT_TRUE(guards_camera(k)) << name(k);
    EXPECT_TRUE(guards_camera(route_kind::publish_ws));
    EXPECT_TRUE(guards_camera(route_kind::recordings_delete));
    EXPECT_TRUE(guards_camera(route_kind::recording_clip));
}

TEST(request_access, routes_that_need_nothing_open_to_any_token_and_count_none_as_a_guess) {
    const auto t = server_wide("view-1", "control-1");
    for (const auto k : {route_kind::page, route_kind::asset, route_kind::health, route_kind::origin_check, route_kind::not_found})
        for (const std::string_view token : {"", "wrong", "view-1"}) {
            const auto v = verdict(k, "cam", token, t);
            EXPECT_TRUE(v.allowed) << name(k) << " " << token;
            EXPECT_FALSE(v.guess) << name(k) << " " << token;
            EXPECT_FALSE(token_guards(k, "cam", t, nullptr)) << name(k);
        }
}

// --- the view token: none, server-wide, a stream's own, a relayed stream's ---

TEST(request_access, without_a_view_token_every_view_route_is_open_and_unguarded) {
    const stream_access_table t;
    for (const auto& [k, stream] : view_routes) {
        for (const std::string_view token : {"", "anything"}) {
            const auto v = verdict(k, stream, token, t);
            EXPECT_TRUE(v.allowed) << name(k) << " " << token;
            EXPECT_FALSE(v.guess) << name(k) << " " << token << ": no token is configured to guess at";
        }
        EXPECT_FALSE(token_guards(k, stream, t, nullptr)) << name(k);
    }
}

TEST(request_access, a_server_wide_view_token_guards_every_view_route) {
    const auto t = server_wide("view-1");
    for (const auto& [k, stream] : view_routes) {
        EXPECT_TRUE(token_guards(k, stream, t, nullptr)) << name(k);
        const auto missing = verdict(k, stream, "", t);
        EXPECT_FALSE(missing.allowed) << name(k);
        EXPECT_EQ(missing.refusal, "invalid or missing view token") << name(k);
        EXPECT_FALSE(missing.guess) << name(k) << ": no token, no guess";
        const auto wrong = verdict(k, stream, "view-2", t);
        EXPECT_FALSE(wrong.allowed) << name(k);
        EXPECT_EQ(wrong.refusal, "invalid or missing view token") << name(k);
        EXPECT_TRUE(wrong.guess) << name(k);
        const auto right = verdict(k, stream, "view-1", t);
        EXPECT_TRUE(right.allowed) << name(k);
        EXPECT_FALSE(right.guess) << name(k);
        EXPECT_TRUE(right.refusal.empty()) << name(k);
    }
}

TEST(request_access, the_control_token_opens_what_the_view_token_opens) {
    const auto t = server_wide("view-1", "control-1");
    for (const auto& [k, stream] : view_routes) EXPECT_TRUE(verdict(k, stream, "control-1", t).allowed) << name(k);
    // Without a view token, the control token guards controls only: watching stays open.
    const auto control_only = server_wide("", "control-1");
    for (const auto& [k, stream] : view_routes) {
        EXPECT_TRUE(verdict(k, stream, "", control_only).allowed) << name(k);
        EXPECT_FALSE(token_guards(k, stream, control_only, nullptr)) << name(k);
    }
}

TEST(request_access, a_streams_own_view_token_replaces_the_server_wide_one_for_that_stream_only) {
    auto t = server_wide("view-1", "control-1");
    t.streams["cam"].view = "cam-view";
    for (const auto k : {route_kind::viewer_ws, route_kind::snapshot, route_kind::mjpeg}) {
        EXPECT_TRUE(verdict(k, "cam", "cam-view", t).allowed) << name(k);
        EXPECT_FALSE(verdict(k, "cam", "view-1", t).allowed) << name(k) << ": the server-wide token does not open cam";
        EXPECT_TRUE(verdict(k, "cam", "control-1", t).allowed) << name(k) << ": cam keeps the server-wide control token";
        EXPECT_TRUE(verdict(k, "other", "view-1", t).allowed) << name(k);
        EXPECT_FALSE(verdict(k, "other", "cam-view", t).allowed) << name(k);
    }
    // The list and the metrics are server-wide: a stream's own token does not open them.
    EXPECT_FALSE(verdict(route_kind::api_streams, "", "cam-view", t).allowed);
    EXPECT_FALSE(verdict(route_kind::metrics, "", "cam-view", t).allowed);
    EXPECT_TRUE(verdict(route_kind::metrics, "", "view-1", t).allowed);
}

TEST(request_access, a_stream_may_be_open_where_the_server_wide_view_token_guards_the_rest) {
    auto t = server_wide("view-1");
    t.streams["cam"].view = "";
    EXPECT_TRUE(verdict(route_kind::snapshot, "cam", "", t).allowed);
    EXPECT_FALSE(token_guards(route_kind::snapshot, "cam", t, nullptr));
    EXPECT_FALSE(verdict(route_kind::snapshot, "other", "", t).allowed);
    EXPECT_TRUE(token_guards(route_kind::snapshot, "other", t, nullptr));
}

TEST(request_access, a_relayed_stream_takes_its_owners_tokens_in_place_of_this_nodes) {
    auto t = server_wide("view-1", "control-1");
    t.relayed["remote"] = {*token_check::verifier(make_token_verifier("owner-view")),
                           *token_check::verifier(make_token_verifier("owner-control"))};
    for (const auto k : {route_kind::viewer_ws, route_kind::snapshot, route_kind::mjpeg}) {
        EXPECT_TRUE(token_guards(k, "remote", t, nullptr)) << name(k);
        EXPECT_TRUE(verdict(k, "remote", "owner-view", t).allowed) << name(k);
        EXPECT_TRUE(verdict(k, "remote", "owner-control", t).allowed) << name(k);
        const auto local = verdict(k, "remote", "view-1", t);
        EXPECT_FALSE(local.allowed) << name(k) << ": this node's token is not the owner's";
        EXPECT_TRUE(local.guess) << name(k);
        EXPECT_FALSE(verdict(k, "remote", "", t).allowed) << name(k);
    }
    EXPECT_TRUE(verdict(route_kind::viewer_ws, "remote", "owner-control", t).control);
    EXPECT_FALSE(verdict(route_kind::viewer_ws, "remote", "owner-view", t).control);
    EXPECT_FALSE(verdict(route_kind::viewer_ws, "remote", "control-1", t).control);
}

TEST(request_access, a_relayed_stream_whose_owner_requires_nothing_falls_back_to_this_nodes_tokens) {
    auto t = server_wide("view-1", "control-1");
    t.relayed["remote"] = {};
    EXPECT_FALSE(verdict(route_kind::snapshot, "remote", "", t).allowed);
    EXPECT_TRUE(verdict(route_kind::snapshot, "remote", "view-1", t).allowed);
    EXPECT_TRUE(verdict(route_kind::viewer_ws, "remote", "control-1", t).control);
    t.relayed["closed"] = {token_check::nobody(), token_check::nobody()};
    EXPECT_FALSE(verdict(route_kind::snapshot, "closed", "view-1", t).allowed) << "unreadable requirement: closed";
    EXPECT_FALSE(verdict(route_kind::snapshot, "closed", "", t).allowed);
}

// --- view vs control on a viewer's WebSocket ---

TEST(request_access, a_viewer_controls_with_the_control_token_only) {
    const auto t = server_wide("view-1", "control-1");
    EXPECT_TRUE(verdict(route_kind::viewer_ws, "cam", "control-1", t).control);
    EXPECT_FALSE(verdict(route_kind::viewer_ws, "cam", "view-1", t).control);
    auto own = t;
    own.streams["cam"].control = "cam-control";
    EXPECT_TRUE(verdict(route_kind::viewer_ws, "cam", "cam-control", own).control);
    EXPECT_FALSE(verdict(route_kind::viewer_ws, "cam", "control-1", own).control);
    EXPECT_TRUE(verdict(route_kind::viewer_ws, "cam", "cam-control", own).allowed) << "its control token opens watching";
}

TEST(request_access, without_a_control_token_every_viewer_controls) {
    EXPECT_TRUE(verdict(route_kind::viewer_ws, "cam", "", stream_access_table{}).control);
    EXPECT_TRUE(verdict(route_kind::viewer_ws, "cam", "view-1", server_wide("view-1")).control);
}

TEST(request_access, only_a_viewer_is_told_it_controls) {
    const auto t = server_wide("", "control-1");
    for (const auto k : {route_kind::snapshot, route_kind::mjpeg, route_kind::api_streams, route_kind::metrics})
        EXPECT_FALSE(verdict(k, "cam", "control-1", t).control) << name(k);
}

TEST(request_access, a_viewers_token_that_opens_nothing_is_a_guess_even_where_watching_is_open) {
    const auto t = server_wide("", "control-1");
    const auto wrong = verdict(route_kind::viewer_ws, "cam", "control-2", t);
    EXPECT_TRUE(wrong.allowed);
    EXPECT_FALSE(wrong.control);
    EXPECT_TRUE(wrong.guess);
    EXPECT_FALSE(verdict(route_kind::viewer_ws, "cam", "control-1", t).guess);
    EXPECT_FALSE(verdict(route_kind::viewer_ws, "cam", "", t).guess);
    // Where neither token is configured, a token is no guess: there is nothing to guess.
    EXPECT_FALSE(verdict(route_kind::viewer_ws, "cam", "anything", stream_access_table{}).guess);
    // A snapshot says nothing of controls: a token it does not need is no guess there.
    EXPECT_FALSE(verdict(route_kind::snapshot, "cam", "control-2", t).guess);
}

TEST(request_access, a_viewers_view_token_is_no_guess_though_it_does_not_control) {
    const auto v = verdict(route_kind::viewer_ws, "cam", "view-1", server_wide("view-1", "control-1"));
    EXPECT_TRUE(v.allowed);
    EXPECT_FALSE(v.control) << "watching only";
    EXPECT_FALSE(v.guess) << "the view token opened watching";
}

// --- the stream list ---

TEST(request_access, the_stream_list_counts_a_token_as_a_guess_where_a_control_token_exists) {
    EXPECT_TRUE(verdict(route_kind::api_streams, "", "wrong", server_wide("", "control-1")).guess);
    auto own = server_wide("");
    own.streams["cam"].control = "cam-control";
    EXPECT_TRUE(verdict(route_kind::api_streams, "", "wrong", own).guess) << "a stream's own control token counts too";
    own.streams["cam"].control = "";
    EXPECT_FALSE(verdict(route_kind::api_streams, "", "wrong", own).guess) << "an empty one is none";
    EXPECT_FALSE(verdict(route_kind::api_streams, "", "wrong", stream_access_table{}).guess);
    EXPECT_FALSE(verdict(route_kind::api_streams, "", "view-1", server_wide("view-1", "control-1")).guess);
    EXPECT_FALSE(verdict(route_kind::api_streams, "", "", server_wide("", "control-1")).guess);
    // Issue 21 review: a relay with no token of its own never braked wrong tokens on the list,
    // though its relayed streams' owners require control tokens.
    auto relay = stream_access_table{};
    relay.relayed["remote"] = {{}, *token_check::verifier(make_token_verifier("owner-control"))};
    EXPECT_TRUE(verdict(route_kind::api_streams, "", "wrong", relay).guess) << "a relayed stream's control token counts too";
}

// Issue 21 review: 900 relayed streams with distinct owner tokens made each request to the
// stream list with a new token cost 2.7-7.8 s of an I/O thread (one PBKDF2 per verifier).
TEST(request_access, one_request_compares_its_token_with_at_most_eight_distinct_verifiers) {
    stream_access_table t;
    for (int i = 0; i < 12; ++i)
        t.relayed["r" + std::to_string(i)] = {{}, *token_check::verifier(make_token_verifier("owner-" + std::to_string(i)))};
    const auto shared = *token_check::verifier(make_token_verifier("shared"));
    for (int i = 0; i < 20; ++i) t.relayed["s" + std::to_string(i)] = {{}, shared};
    verifier_budget budget;
    for (int i = 0; i < 8; ++i) EXPECT_FALSE(shows_source(t, "r" + std::to_string(i), "guess", budget));
    EXPECT_FALSE(shows_source(t, "r8", "owner-8", budget)) << "a ninth verifier is not tried: its source is not shown";
    EXPECT_FALSE(budget.allow(t.relayed["r9"].control));
    EXPECT_TRUE(budget.allow(t.relayed["r3"].control)) << "one already tried costs nothing more";
    verifier_budget fresh;
    for (int i = 0; i < 20; ++i)
        EXPECT_TRUE(shows_source(t, "s" + std::to_string(i), "shared", fresh)) << "streams sharing a verifier count once";
    EXPECT_TRUE(shows_source(t, "r0", "owner-0", fresh));
    EXPECT_TRUE(fresh.allow(token_check::token("plain"))) << "a plain token costs nothing";
}

TEST(request_access, the_stream_list_shows_a_source_to_that_streams_control_token_only) {
    auto t = server_wide("view-1", "control-1");
    t.streams["cam"].control = "cam-control";
    EXPECT_TRUE(shows(t, "cam", "cam-control"));
    EXPECT_FALSE(shows(t, "cam", "control-1"));
    EXPECT_TRUE(shows(t, "other", "control-1"));
    EXPECT_FALSE(shows(t, "other", "view-1"));
    EXPECT_FALSE(shows(t, "other", ""));
    EXPECT_FALSE(shows(stream_access_table{}, "cam", "")) << "without a control token, to nobody";
    EXPECT_FALSE(shows(stream_access_table{}, "cam", "anything"));
    t.relayed["remote"] = {{}, *token_check::verifier(make_token_verifier("owner-control"))};
    EXPECT_TRUE(shows(t, "remote", "owner-control"));
    EXPECT_FALSE(shows(t, "remote", "control-1"));
}

// --- the publish token ---

TEST(request_access, deleting_recordings_and_clips_need_the_control_token_and_one_must_be_set) {
    for (const auto kind : {route_kind::recordings_delete, route_kind::recording_clip}) {
        SCOPED_TRACE(name(kind));
        // No tokens at all: open to view, but nothing deletes.
        const auto v_open = verdict(kind, "cam", "", stream_access_table{});
        EXPECT_FALSE(v_open.allowed);
        EXPECT_NE(v_open.refusal.find("--control-token"), std::string_view::npos) << v_open.refusal;
        EXPECT_FALSE(v_open.guess);
        EXPECT_TRUE(token_guards(kind, "cam", stream_access_table{}, nullptr));
        const auto t = server_wide("view-1", "control-1");
        EXPECT_TRUE(verdict(kind, "cam", "control-1", t).allowed);
        const auto with_view = verdict(kind, "cam", "view-1", t);
        EXPECT_FALSE(with_view.allowed) << "the view token deleted recordings";
        EXPECT_TRUE(with_view.guess);
        EXPECT_FALSE(verdict(kind, "cam", "", t).allowed);
        EXPECT_FALSE(verdict(kind, "cam", "", t).guess);
        // A stream's own control token deletes that stream's recordings only.
        stream_access_table own;
        own.streams["cam"].control = "cam-control";
        EXPECT_TRUE(verdict(kind, "cam", "cam-control", own).allowed);
        EXPECT_FALSE(verdict(kind, "porch", "cam-control", own).allowed);
    }
}

TEST(request_access, a_push_stream_takes_a_publisher_with_its_publish_token) {
    const publish_gate gate("publish-1", false);
    EXPECT_TRUE(token_guards(route_kind::publish_ws, "cam", stream_access_table{}, &gate));
    const auto right = decide_access(route_kind::publish_ws, "cam", "publish-1", stream_access_table{}, &gate);
    EXPECT_TRUE(right.allowed);
    EXPECT_FALSE(right.guess);
    const auto wrong = decide_access(route_kind::publish_ws, "cam", "publish-2", stream_access_table{}, &gate);
    EXPECT_FALSE(wrong.allowed);
    EXPECT_TRUE(wrong.guess);
    EXPECT_EQ(wrong.refusal, "invalid or missing publish token");
    const auto missing = decide_access(route_kind::publish_ws, "cam", "", stream_access_table{}, &gate);
    EXPECT_FALSE(missing.allowed);
    EXPECT_FALSE(missing.guess);
    EXPECT_EQ(missing.refusal, "invalid or missing publish token");
}

TEST(request_access, the_view_and_control_tokens_do_not_open_publishing) {
    const publish_gate gate("publish-1", false);
    const auto t = server_wide("view-1", "control-1");
    EXPECT_FALSE(decide_access(route_kind::publish_ws, "cam", "view-1", t, &gate).allowed);
    EXPECT_FALSE(decide_access(route_kind::publish_ws, "cam", "control-1", t, &gate).allowed);
    // Nor does the publish token open watching.
    EXPECT_FALSE(verdict(route_kind::snapshot, "cam", "publish-1", t).allowed);
}

TEST(request_access, a_push_stream_without_a_publish_token_takes_anyone_and_is_unguarded) {
    const publish_gate gate("", false);
    EXPECT_FALSE(token_guards(route_kind::publish_ws, "cam", server_wide("view-1"), &gate));
    for (const std::string_view token : {"", "anything"}) {
        const auto v = decide_access(route_kind::publish_ws, "cam", token, server_wide("view-1"), &gate);
        EXPECT_TRUE(v.allowed) << token;
        EXPECT_FALSE(v.guess) << token;
    }
}

TEST(request_access, a_stream_that_takes_no_publishers_opens_to_no_token) {
    EXPECT_FALSE(token_guards(route_kind::publish_ws, "cam", server_wide("view-1"), nullptr));
    for (const std::string_view token : {"", "view-1"}) {
        const auto v = decide_access(route_kind::publish_ws, "cam", token, server_wide("view-1"), nullptr);
        EXPECT_FALSE(v.allowed) << token;
        EXPECT_FALSE(v.guess) << token << ": the route answers 403, there is no token to guess";
    }
}

// --- the token a request brings ---

TEST(request_access, a_request_brings_its_token_in_a_header_the_query_or_a_cookie) {
    EXPECT_EQ(request_token("Bearer abc", "/", ""), "abc");
    EXPECT_EQ(request_token("", "/ws?stream=cam&token=a%20b", ""), "a b");
    EXPECT_EQ(request_token("", "/", "wscam_token=c1"), "c1");
    EXPECT_EQ(request_token("", "/", "theme=dark;  wscam_token=c2; other=1"), "c2");
    EXPECT_EQ(request_token("", "/", "theme=dark; other=1"), "");
    EXPECT_EQ(request_token("Basic dXNlcg==", "/", ""), "") << "only Bearer";
    EXPECT_EQ(request_token("", "/?token=", ""), "");
}

TEST(request_access, the_header_comes_before_the_query_and_the_query_before_the_cookie) {
    EXPECT_EQ(request_token("Bearer h", "/?token=q", "wscam_token=c"), "h");
    EXPECT_EQ(request_token("", "/?token=q", "wscam_token=c"), "q");
    EXPECT_EQ(request_token("", "/?token=", "wscam_token=c"), "c") << "an empty query token is none";
}

}  // namespace
}  // namespace wscam
