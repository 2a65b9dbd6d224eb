// Integration tests: the real server on 127.0.0.1, port 0, with the real test-pattern
// source, talked to by Beast clients over real sockets.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "codec/jpeg_codec.hpp"
#include "core/frame.hpp"
#include "server/server.hpp"
#include "sources/test_card_source.hpp"
#include "ws_test_client.hpp"

namespace wscam {
namespace {

using test::ws_client;
namespace beast = test::beast;

struct running_server {
    explicit running_server(test_card_options o = {}, bool ws_port = false, server_config c = {}) {
        streams = std::make_shared<stream_registry>();
        hub = streams->add("default");
        source = std::make_unique<test_card_source>(hub, o);
        c.listen_address = "127.0.0.1";
        c.port = 0;
        c.threads = 2;
        if (ws_port) c.ws_port = 0;
        srv = std::make_unique<server>(c, streams);
        srv->start();
        source->start();
        runner = std::thread([this] { srv->run(); });
    }
    ~running_server() {
        srv->stop();
        runner.join();
        source->stop();
    }
    std::uint16_t port() const { return srv->http_port(); }

    std::shared_ptr<stream_registry> streams;
    std::shared_ptr<stream> hub;
    std::unique_ptr<test_card_source> source;
    std::unique_ptr<server> srv;
    std::thread runner;
};

void expect_jpeg_of_size(std::span<const std::uint8_t> jpeg, int width, int height) {
    ASSERT_TRUE(has_jpeg_markers(jpeg)) << "not SOI...EOI, " << jpeg.size() << " bytes";
    jpeg_decoder decoder;
    std::vector<std::uint8_t> rgb;
    int w = 0, h = 0;
    std::string error;
    ASSERT_TRUE(decoder.decode_rgb(jpeg, rgb, w, h, &error)) << error;
    EXPECT_EQ(w, width);
    EXPECT_EQ(h, height);
}

std::size_t client_frame_size(ws_client& c) {
    for (;;) {
        auto m = c.read();
        if (!m.text) return m.bytes.size();
    }
}

TEST(server, plain_client_gets_one_pure_jpeg_per_binary_message) {
    running_server s;
    ws_client client(s.port(), "/ws");
    EXPECT_EQ(client.accepted_protocol(), "");
    for (int i = 0; i < 30; ++i) {
        auto m = client.read();
        ASSERT_FALSE(m.text) << "a plain client must get nothing but JPEGs, got: " << m.as_string();
        expect_jpeg_of_size(m.bytes, 640, 480);
    }
    client.close();
}

TEST(server, tutorial_layout_ws_only_port_and_root_upgrade_serve_the_default_stream) {
    running_server s({}, /*ws_port=*/true);
    ASSERT_TRUE(s.srv->ws_port());
    ws_client on_ws_port(*s.srv->ws_port(), "/");
    expect_jpeg_of_size(on_ws_port.read().bytes, 640, 480);
    ws_client on_root(s.port(), "/");
    expect_jpeg_of_size(on_root.read().bytes, 640, 480);
    auto [status, body] = test::http_get(*s.srv->ws_port(), "/");
    EXPECT_EQ(status, 426);
    EXPECT_NE(body.find("only speaks WebSocket"), std::string::npos);
}

TEST(server, wscam_v1_client_gets_hello_then_frames_with_increasing_sequence_and_capture_time) {
    test_card_options o;
    o.size = {320, 240};
    running_server s(o);
    ws_client client(s.port(), "/ws/default", "wscam.v1");
    EXPECT_EQ(client.accepted_protocol(), "wscam.v1");

    auto hello_msg = client.read();
    ASSERT_TRUE(hello_msg.text);
    auto hello = nlohmann::json::parse(hello_msg.as_string());
    EXPECT_EQ(hello["type"], "hello");
    EXPECT_EQ(hello["stream"], "default");
    EXPECT_EQ(hello["width"], 320);
    EXPECT_EQ(hello["height"], 240);
    EXPECT_EQ(hello["fps"], 30.0);

    std::uint64_t last = 0;
    for (int i = 0; i < 30; ++i) {
        auto m = client.read_binary();
        frame_header h;
        ASSERT_TRUE(parse_frame_header(m.bytes, h));
        EXPECT_GT(h.sequence, last);
        last = h.sequence;
        EXPECT_EQ(h.width, 320);
        EXPECT_EQ(h.height, 240);
        EXPECT_LE(h.capture_us, h.publish_us);
        EXPECT_LE(h.publish_us, unix_now_us());
        EXPECT_GT(h.capture_us, unix_now_us() - 10'000'000);
        expect_jpeg_of_size(std::span<const std::uint8_t>(m.bytes).subspan(h.header_size), 320, 240);
    }
}

TEST(server, ping_gets_a_pong_and_bad_messages_get_an_error_without_closing) {
    running_server s;
    ws_client client(s.port(), "/ws", "wscam.v1");
    client.send_text(R"({"type":"ping","id":41,"t":123.25})");
    client.send_text("this is not json");
    client.send_text(R"({"type":"ping","id":42,"t":0})");
    std::vector<nlohmann::json> replies;  // pongs and errors, in order; hello and status are not replies
    const auto before = unix_now_us();
    for (int i = 0; i < 60 && replies.size() < 3; ++i) {
        std::vector<std::string> texts;
        client.read_binary(&texts);
        for (const auto& t : texts) {
            auto j = nlohmann::json::parse(t);
            if (j["type"] == "pong" || j["type"] == "error") replies.push_back(j);
        }
    }
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[0]["type"], "pong");
    EXPECT_EQ(replies[0]["id"], 41);
    EXPECT_EQ(replies[0]["t"], 123.25);
    EXPECT_GE(replies[0]["server_time_us"].get<std::int64_t>(), before - 5'000'000);
    EXPECT_EQ(replies[1]["type"], "error");
    EXPECT_EQ(replies[1]["reason"], "not valid JSON");
    EXPECT_EQ(replies[2]["type"], "pong");
    EXPECT_EQ(replies[2]["id"], 42);
}

TEST(server, hundred_concurrent_clients_all_receive_frames) {
    test_card_options o;
    o.size = {320, 240};
    server_config c;
    c.max_connections_per_ip = 0;  // all from 127.0.0.1; the limit has its own tests (node.limits)
    running_server s(o, false, c);
    constexpr int clients = 100;
    std::atomic<int> satisfied{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < clients; ++i)
        threads.emplace_back([&, i] {
            ws_client c(s.port(), i % 2 ? "/ws" : "/ws/default", i % 3 ? "" : "wscam.v1");
            int frames = 0;
            while (frames < 10) frames += !c.read().text;
            ++satisfied;
            c.close();
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(satisfied, clients);
}

TEST(server, a_client_that_stops_reading_slows_no_one_and_memory_stays_bounded) {
    test_card_options o;
    o.noise = 60;  // ~100 KB frames, so the stalled socket fills quickly
    running_server s(o);
    // A viewer that never reads, with a tiny receive window.
    ws_client stalled(s.port(), "/ws", "", 4096);

    constexpr int readers = 20;
    std::atomic<bool> stop{false};
    std::vector<std::atomic<int>> counts(readers);
    std::atomic<std::size_t> max_live_frames{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < readers; ++i)
        threads.emplace_back([&, i] {
            ws_client c(s.port(), "/ws");
            c.read();  // connected and flowing
            while (!stop) {
                c.read();
                ++counts[i];
            }
            c.close();
        });
    // Let everyone connect, then measure one window against what the source published.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    for (auto& c : counts) c = 0;
    const auto published_before = s.hub->counters().frames_published;
    for (int i = 0; i < 300; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        max_live_frames = std::max(max_live_frames.load(), frame::live_count());
    }
    const auto published = s.hub->counters().frames_published - published_before;
    std::vector<int> seen;
    for (auto& c : counts) seen.push_back(c.load());
    stop = true;
    for (auto& t : threads) t.join();

    ASSERT_GT(published, 20u);
    for (int i = 0; i < readers; ++i)
        EXPECT_GE(seen[i], 0.9 * static_cast<double>(published)) << "reader " << i << " of " << published;
    // Each viewer holds at most one frame in flight and one pending; the hub holds the newest.
    EXPECT_LE(max_live_frames.load(), 2u * (readers + 1) + 3u);
    EXPECT_GT(s.srv->stats().frames_dropped, 0u) << "the stalled viewer skips frames instead of queueing them";
}

TEST(server, stop_closes_every_websocket_with_1001_and_run_returns) {
    auto s = std::make_unique<running_server>();
    ws_client a(s->port(), "/ws");
    ws_client b(s->port(), "/ws", "wscam.v1");
    a.read();
    b.read();
    s->srv->stop();
    for (ws_client* c : {&a, &b}) {
        beast::error_code ec;
        beast::flat_buffer buffer;
        while (!ec) c->stream().read(buffer, ec);
        EXPECT_EQ(ec, test::websocket::error::closed) << ec.message();
        EXPECT_EQ(c->stream().reason().code, test::websocket::close_code::going_away);
    }
    s.reset();  // joins run(): it returned
}

TEST(server, http_endpoints_answer_and_unknown_things_get_404) {
    running_server s;
    EXPECT_EQ(test::http_get(s.port(), "/healthz"), (std::pair<int, std::string>{200, "ok\n"}));
    auto [api_status, api] = test::http_get(s.port(), "/api/streams");
    EXPECT_EQ(api_status, 200);
    auto j = nlohmann::json::parse(api);
    EXPECT_EQ(j["streams"][0]["name"], "default");
    EXPECT_EQ(j["streams"][0]["width"], 640);
    auto [page_status, page] = test::http_get(s.port(), "/");
    EXPECT_EQ(page_status, 200);
    EXPECT_NE(page.find("viewer.js"), std::string::npos);
    EXPECT_EQ(test::http_get(s.port(), "/viewer.js").first, 200);
    EXPECT_NE(page.find("viewer_h264.js"), std::string::npos);
    EXPECT_EQ(test::http_get(s.port(), "/viewer_h264.js").first, 200);
    EXPECT_EQ(test::http_get(s.port(), "/nope.txt").first, 404);
    EXPECT_EQ(test::http_get(s.port(), "/snapshot/other.jpg").first, 404);
    EXPECT_THROW(ws_client(s.port(), "/ws/other"), boost::system::system_error) << "unknown stream";

    ws_client viewer(s.port(), "/ws");
    viewer.read();
    auto [snap_status, snap] = test::http_get(s.port(), "/snapshot/default.jpg");
    EXPECT_EQ(snap_status, 200);
    expect_jpeg_of_size(std::span(reinterpret_cast<const std::uint8_t*>(snap.data()), snap.size()), 640, 480);
}

TEST(server, malformed_request_gets_400_and_the_server_keeps_serving) {
    running_server s;
    {
        test::net::io_context ioc;
        test::tcp::socket sock(ioc);
        sock.connect({test::net::ip::make_address("127.0.0.1"), s.port()});
        test::net::write(sock, test::net::buffer(std::string("GARBAGE \x01\x02 nonsense\r\n\r\n")));
        std::string reply;
        beast::error_code ec;
        char buf[512];
        while (!ec) {
            auto n = sock.read_some(test::net::buffer(buf), ec);
            reply.append(buf, n);
        }
        EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
    }
    ws_client client(s.port(), "/ws");
    EXPECT_FALSE(client.read().text);
}

nlohmann::json next_text_of_type(ws_client& c, const std::string& type) {
    for (int i = 0; i < 200; ++i) {
        auto m = c.read();
        if (!m.text) continue;
        auto j = nlohmann::json::parse(m.as_string());
        if (j["type"] == type) return j;
    }
    return {};
}

TEST(server, a_control_change_applies_to_the_stream_and_every_viewer_hears_of_it) {
    running_server s;
    ws_client changer(s.port(), "/ws", "wscam.v1");
    ws_client watcher(s.port(), "/ws", "wscam.v1");
    auto hello = next_text_of_type(watcher, "hello");
    ASSERT_EQ(hello["controls"].size(), 3u);
    EXPECT_EQ(hello["controls"][0]["id"], "quality");
    EXPECT_EQ(hello["controls"][0]["value"], 80.0);
    EXPECT_EQ(hello["can_control"], true) << "no control token set: every viewer may";

    const auto size_before = client_frame_size(watcher);
    changer.send_text(R"({"type":"control","id":"quality","value":5})");
    auto changed = next_text_of_type(watcher, "control_changed");
    EXPECT_EQ(changed["id"], "quality");
    EXPECT_EQ(changed["value"], 5.0);
    // Frames encoded after the change are much smaller.
    std::size_t size_after = 0;
    for (int i = 0; i < 5; ++i) size_after = client_frame_size(watcher);
    EXPECT_LT(size_after * 2, size_before);

    changer.send_text(R"({"type":"control","id":"quality","value":500})");
    auto error = next_text_of_type(changer, "error");
    EXPECT_NE(error["reason"].get<std::string>().find("outside"), std::string::npos);
    changer.send_text(R"({"type":"control","id":"zoom","value":1})");
    EXPECT_EQ(next_text_of_type(changer, "error")["reason"], "stream 'default' has no control 'zoom' (it has quality, brightness, noise)");
}

TEST(server, tokens_guard_watching_and_controlling) {
    server_config c;
    c.view_token = "see";
    c.control_token = "steer";
    running_server s({}, false, c);
    EXPECT_THROW(ws_client(s.port(), "/ws"), boost::system::system_error);
    EXPECT_THROW(ws_client(s.port(), "/ws?token=wrong"), boost::system::system_error);
    EXPECT_EQ(test::http_get(s.port(), "/snapshot/default.jpg").first, 401);
    EXPECT_EQ(test::http_get(s.port(), "/api/streams").first, 401);
    EXPECT_EQ(test::http_get(s.port(), "/api/streams?token=see").first, 200);
    EXPECT_EQ(test::http_get(s.port(), "/").first, 200) << "the page itself is public; it passes ?token= on";

    ws_client viewer(s.port(), "/ws?token=see", "wscam.v1");
    EXPECT_EQ(next_text_of_type(viewer, "hello")["can_control"], false);
    viewer.send_text(R"({"type":"control","id":"quality","value":50})");
    EXPECT_EQ(next_text_of_type(viewer, "error")["reason"], "changing controls needs the control token");

    ws_client controller(s.port(), "/ws?token=steer", "wscam.v1");
    EXPECT_EQ(next_text_of_type(controller, "hello")["can_control"], true);
    controller.send_text(R"({"type":"control","id":"quality","value":50})");
    EXPECT_EQ(next_text_of_type(controller, "control_changed")["value"], 50.0);
}

}  // namespace
}  // namespace wscam
