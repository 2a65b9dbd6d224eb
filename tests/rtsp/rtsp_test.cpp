// What wscam adds on top of GStreamer's RTSP server, without GStreamer: the URL and the token it
// brings, the access verdict, a reader's gate, a stream's feed (with a stand-in reader).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/frame.hpp"
#include "core/stream.hpp"
#include "core/token_check.hpp"
#include "rtsp/reader_gate.hpp"
#include "rtsp/rtsp_access.hpp"
#include "rtsp/rtsp_feed.hpp"
#include "rtsp/rtsp_request.hpp"
#include "transcode/h264_stream.hpp"

namespace wscam::rtsp {
namespace {

using namespace std::chrono_literals;

TEST(RtspRequest, PathNamesAStreamAndItsTrack) {
    auto t = parse_target("/cam");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->stream, "cam");
    EXPECT_EQ(t->control, "");
    t = parse_target("/cam/stream=0");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->stream, "cam");
    EXPECT_EQ(t->control, "stream=0");
    t = parse_target("/cam/");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->stream, "cam");
    std::string why;
    for (const char* bad : {"", "cam", "/", "//cam", "/a/b/c", "/c%61m", "/../x", "/cam space",
                            "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
        EXPECT_FALSE(parse_target(bad, &why)) << bad;
        EXPECT_FALSE(why.empty()) << bad;
    }
    EXPECT_EQ(mount_path("cam"), "/cam");
}

TEST(RtspRequest, BasicPasswordIsTheToken) {
    // "viewer:s3cret", "any:pa:ss" (a password may hold ':'), ":t" (no user name)
    EXPECT_EQ(basic_password("Basic dmlld2VyOnMzY3JldA=="), "s3cret");
    EXPECT_EQ(basic_password("basic   YW55OnBhOnNz  "), "pa:ss");
    EXPECT_EQ(basic_password("Basic OnQ="), "t");
    EXPECT_FALSE(basic_password("Digest username=\"a\""));
    EXPECT_FALSE(basic_password("Basic"));
    EXPECT_FALSE(basic_password("Basic !!!!"));
    EXPECT_FALSE(basic_password("Basic dmlld2Vy"));            // no ':' at all
    EXPECT_FALSE(basic_password("Basic dm=ld2VyOnMzY3JldA=="));  // '=' inside
    EXPECT_FALSE(basic_password("Basic dmlld2VyOnMzY3JldA="));   // not a multiple of 4
    EXPECT_FALSE(basic_password("Basic " + std::string(8192, 'A')));
}

TEST(RtspRequest, PresentedTokenPrefersAuthorizationThenQuery) {
    EXPECT_EQ(presented_token("Basic dmlld2VyOnMzY3JldA==", "token=other"), "s3cret");
    EXPECT_EQ(presented_token("", "a=1&token=t%26k"), "t&k");
    EXPECT_EQ(presented_token("Bearer x", ""), "");
    EXPECT_EQ(presented_token("", ""), "");
}

enum class method { options, describe, other };

rtsp_ask req(std::string_view path, std::string_view query = {}, std::string_view authorization = {}, method m = method::other) {
    rtsp_ask a;
    a.options = m == method::options;
    a.describe = m == method::describe;
    a.abspath = path;
    a.query = query;
    a.authorization = authorization;
    return a;
}

struct access_case {
    stream_access_table table;
    std::set<std::string> opened;
    std::function<bool(const std::string&)> exists = [](const std::string& n) { return n == "cam"; };
    rtsp_verdict ask(rtsp_ask a, bool blocked = false) { return decide_rtsp(a, table, exists, opened, blocked); }
};

TEST(RtspAccess, UnknownStreamsAre404AndOptionsNeedsNothing) {
    access_case c;
    c.table.view_token = "v";
    EXPECT_EQ(c.ask(req("/nope", "", "", method::options)).status, 0);
    auto v = c.ask(req("/nope", "", "", method::other));
    EXPECT_EQ(v.status, 404);
    EXPECT_NE(v.reason.find("nope"), std::string::npos);
    EXPECT_EQ(c.ask(req("/a/b/c", "", "", method::other)).status, 404);
}

TEST(RtspAccess, ViewTokenAsPasswordOrQueryAndTheConnectionRemembers) {
    access_case c;
    c.table.view_token = "s3cret";
    auto v = c.ask(req("/cam", "", "", method::describe));
    EXPECT_EQ(v.status, 401);
    EXPECT_TRUE(v.challenge);
    EXPECT_FALSE(v.guess);  // no token, no guess
    v = c.ask(req("/cam", "token=wrong", "", method::describe));
    EXPECT_EQ(v.status, 401);
    EXPECT_TRUE(v.guess);
    EXPECT_EQ(v.reason.find("wrong"), std::string::npos);  // never the token
    v = c.ask(req("/cam", "token=s3cret", "", method::describe));
    EXPECT_EQ(v.status, 0);
    EXPECT_TRUE(v.authenticated);
    EXPECT_EQ(v.stream, "cam");
    EXPECT_EQ(c.ask(req("/cam", "", "Basic dmlld2VyOnMzY3JldA==", method::other)).status, 0);
    // SETUP and PLAY come from the Content-Base, without the query: the connection is remembered.
    EXPECT_EQ(c.ask(req("/cam/stream=0", "", "", method::other)).status, 401);
    c.opened.insert("cam");
    EXPECT_EQ(c.ask(req("/cam/stream=0", "", "", method::other)).status, 0);
    // A token on a remembered connection is still checked.
    EXPECT_EQ(c.ask(req("/cam", "token=wrong", "", method::other)).status, 401);
}

TEST(RtspAccess, ControlTokenOpensTooAndTheBrakeRefusesEvenARightToken) {
    access_case c;
    c.table.view_token = "v";
    c.table.control_token = "c";
    EXPECT_EQ(c.ask(req("/cam", "token=c", "", method::other)).status, 0);
    auto v = c.ask(req("/cam", "token=v", "", method::other), /*blocked=*/true);
    EXPECT_EQ(v.status, 403);
    // Without a token, nothing is guessed: the 401 asks for one.
    EXPECT_EQ(c.ask(req("/cam", "", "", method::other), true).status, 401);
}

TEST(RtspAccess, DigestIsCheckedAgainstTheTokensThisNodeHasInClear) {
    access_case c;
    c.table.view_token = "v";
    c.table.control_token = "c";
    c.table.relayed["far"] = {token_check::token("fv"), token_check{}};
    c.exists = [](const std::string&) { return true; };
    auto made_with = [](std::string password) { return [password](const std::string& t) { return t == password; }; };
    auto a = req("/cam", "", "", method::describe);
    a.digest = made_with("v");
    auto v = c.ask(a);
    EXPECT_EQ(v.status, 0);
    EXPECT_TRUE(v.authenticated);
    a.digest = made_with("c");
    EXPECT_EQ(c.ask(a).status, 0);
    a.digest = made_with("nope");
    v = c.ask(a);
    EXPECT_EQ(v.status, 401);
    EXPECT_TRUE(v.guess);
    EXPECT_TRUE(v.challenge);
    EXPECT_EQ(c.ask(a, /*blocked=*/true).status, 403);
    a.digest = made_with("v");
    EXPECT_EQ(c.ask(a, true).status, 403);  // not even the right one while blocked
    // A relayed stream's owner announces verifiers only: Digest cannot be checked there, and is no guess.
    a.abspath = "/far";
    a.digest = made_with("fv");
    v = c.ask(a);
    EXPECT_EQ(v.status, 401);
    EXPECT_FALSE(v.guess);
    EXPECT_NE(v.reason.find("Basic"), std::string::npos);
    // Basic or ?token= still work there.
    EXPECT_EQ(c.ask(req("/far", "token=fv")).status, 0);
}

TEST(RtspAccess, OpenStreamNeedsNoToken) {
    access_case c;
    EXPECT_EQ(c.ask(req("/cam", "", "", method::describe)).status, 0);
    auto v = c.ask(req("/cam", "token=anything", "", method::other));
    EXPECT_EQ(v.status, 0);
    EXPECT_FALSE(v.guess);
}

TEST(ReaderGate, StartsAtAKeyframeAndDropsToTheNextWhenBehind) {
    reader_gate g(4, 2s);
    const auto t0 = reader_gate::clock::now();
    EXPECT_EQ(g.offer(false, 0, t0), reader_gate::verdict::wait);
    EXPECT_EQ(g.offer(true, 0, t0), reader_gate::verdict::push);
    EXPECT_EQ(g.offer(false, 3, t0), reader_gate::verdict::push);
    EXPECT_EQ(g.offer(false, 4, t0), reader_gate::verdict::drop);  // behind
    EXPECT_EQ(g.offer(false, 0, t0), reader_gate::verdict::drop);  // caught up, but a delta cannot follow a gap
    EXPECT_EQ(g.offer(true, 0, t0), reader_gate::verdict::push);
    EXPECT_EQ(g.dropped(), 2u);
    EXPECT_EQ(g.fell_behind(), 1u);
    EXPECT_EQ(g.pushed(), 3u);
}

TEST(ReaderGate, TimesOutOnlyAfterAStallWithoutABreak) {
    reader_gate g(2, 2s);
    const auto t0 = reader_gate::clock::now();
    g.offer(true, 0, t0);
    g.offer(false, 2, t0);
    EXPECT_FALSE(g.timed_out(t0 + 1900ms));
    EXPECT_TRUE(g.timed_out(t0 + 2s));
    g.offer(false, 0, t0 + 2100ms);  // it read again: the stall is over
    EXPECT_FALSE(g.timed_out(t0 + 10s));
    reader_gate never(2, 0s);
    never.offer(false, 5, t0);
    EXPECT_FALSE(never.timed_out(t0 + 1h));
}

class fake_reader : public unit_reader {
public:
    std::size_t waiting() const override { return waiting_; }
    void push(const frame_ptr& unit) override { got.push_back(unit); waiting_ += stalled; }
    void cut_off(const std::string& why) override { cut.push_back(why); }
    std::vector<frame_ptr> got;
    std::vector<std::string> cut;
    std::size_t waiting_ = 0;
    bool stalled = false;
};

frame_ptr unit(std::uint64_t seq, bool key) {
    const std::vector<std::uint8_t> au{0, 0, 0, 1, static_cast<std::uint8_t>(key ? 0x65 : 0x41), 1, 2, 3};
    auto storage = frame::make_storage(au.size());
    std::copy(au.begin(), au.end(), storage.begin() + frame::header_size);
    return std::make_shared<const frame>(std::move(storage), au.size(),
                                         frame_info{64, 48, unix_now_us(), frame::header_type_h264, key}, seq,
                                         unix_now_us());
}

TEST(RtspFeed, AStalledReaderIsDroppedAndCutOffWhileTheOtherGetsEveryUnit) {
    auto source = std::make_shared<stream>("cam");
    auto slots = std::make_shared<h264_slots>(1);
    auto encoder = std::make_shared<h264_stream>(source, rendition::full, h264_settings{}, slots);
    rtsp_feed::settings s;
    s.max_waiting = 3;
    s.write_timeout = 0ms;  // cut off at the first drop past the deadline: here, at once
    auto feed = std::make_shared<rtsp_feed>(source, encoder, s);
    feed->attach();
    auto good = std::make_shared<fake_reader>();
    auto stuck = std::make_shared<fake_reader>();
    stuck->stalled = true;
    ASSERT_TRUE(feed->add(good));
    ASSERT_TRUE(feed->add(stuck));
    EXPECT_EQ(feed->viewers(), 2u);
    EXPECT_EQ(source->viewer_count(), 2u);  // the camera stays on for RTSP readers
    feed->on_frame(unit(1, false));         // nobody starts on a delta
    for (std::uint64_t i = 2; i < 12; ++i) feed->on_frame(unit(i, i == 2));
    EXPECT_EQ(good->got.size(), 10u);
    EXPECT_EQ(stuck->got.size(), 3u);
    const auto t = feed->counts();
    EXPECT_EQ(t.dropped, 7u);
    EXPECT_EQ(t.units, 13u);
    EXPECT_EQ(t.cut_off, 0u);  // a write timeout of 0 never cuts off
    feed->remove(stuck.get());
    EXPECT_EQ(feed->viewers(), 1u);
    feed->on_removed("the stream was removed");
    ASSERT_EQ(good->cut.size(), 1u);
    std::string why;
    EXPECT_FALSE(feed->add(std::make_shared<fake_reader>(), &why));
    EXPECT_FALSE(why.empty());
    encoder->stop();
}

TEST(RtspFeed, CutsOffOnceAfterTheWriteTimeout) {
    auto source = std::make_shared<stream>("cam");
    auto encoder = std::make_shared<h264_stream>(source, rendition::full, h264_settings{}, std::make_shared<h264_slots>(1));
    rtsp_feed::settings s;
    s.max_waiting = 1;
    s.write_timeout = 1ms;
    auto feed = std::make_shared<rtsp_feed>(source, encoder, s);
    feed->attach();
    auto stuck = std::make_shared<fake_reader>();
    stuck->stalled = true;
    ASSERT_TRUE(feed->add(stuck));
    feed->on_frame(unit(1, true));
    feed->on_frame(unit(2, false));  // dropped: the stall starts
    std::this_thread::sleep_for(5ms);
    feed->tick();
    feed->tick();
    feed->on_frame(unit(3, true));
    EXPECT_EQ(stuck->cut.size(), 1u);
    EXPECT_EQ(feed->counts().cut_off, 1u);
    encoder->stop();
}

}  // namespace
}  // namespace wscam::rtsp
