// nats_link against real nats-servers (Debian's nats-server) on loopback: round trip with
// headers, connecting in the background, max_payload, failover, a slow consumer.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "cluster/nats_link.hpp"

extern char** environ;

namespace wscam::cluster {
namespace {

using namespace std::chrono_literals;

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

/** A nats-server on 127.0.0.1:port, with an optional max_payload; killed when destroyed. */
struct nats_server {
    explicit nats_server(int p, const std::string& max_payload = "") : port(p) {
        const auto dir = std::filesystem::temp_directory_path() / ("wscam-nats-" + std::to_string(p));
        std::filesystem::create_directories(dir);
        const auto conf = dir / "nats.conf";
        std::ofstream(conf) << "listen: 127.0.0.1:" << port << "\n" << (max_payload.empty() ? "" : "max_payload: " + max_payload + "\n");
        std::string bin = NATS_SERVER_BIN, c = "-c", path = conf.string();
        char* argv[] = {bin.data(), c.data(), path.data(), nullptr};
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
        EXPECT_EQ(posix_spawn(&pid, bin.c_str(), &fa, nullptr, argv, environ), 0);
        posix_spawn_file_actions_destroy(&fa);
        wait_listening();
    }
    ~nats_server() { kill(); }
    void wait_listening() {
        for (int i = 0; i < 200; ++i) {
            const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a{};
            a.sin_family = AF_INET;
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            a.sin_port = htons(static_cast<std::uint16_t>(port));
            const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
            ::close(fd);
            if (up) return;
            std::this_thread::sleep_for(20ms);
        }
        ADD_FAILURE() << "nats-server did not listen on " << port;
    }
    void kill() {
        if (pid <= 0) return;
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        pid = -1;
    }
    std::string url() const { return "nats://127.0.0.1:" + std::to_string(port); }
    int port;
    pid_t pid = -1;
};

template <class Pred>
bool eventually(Pred p, std::chrono::milliseconds timeout = 5s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (p()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return p();
}

nats_link::events on_connected(std::function<void(const std::string&)> f) {
    nats_link::events e;
    e.connected = std::move(f);
    return e;
}

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

struct received {
    std::mutex m;
    std::vector<std::string> data, subjects, nodes, epochs, replies;
    void add(const incoming& in) {
        std::lock_guard l(m);
        data.emplace_back(reinterpret_cast<const char*>(in.data.data()), in.data.size());
        subjects.emplace_back(in.subject);
        nodes.emplace_back(in.node);
        epochs.emplace_back(in.epoch);
        replies.emplace_back(in.reply);
    }
    std::size_t size() {
        std::lock_guard l(m);
        return data.size();
    }
};

TEST(nats_link, carries_data_headers_and_reply_subjects_between_two_connections) {
    nats_server server(free_port());
    std::atomic<int> connects{0};
    nats_link a({server.url()}, "a", on_connected([&](const std::string&) { ++connects; }));
    nats_link b({server.url()}, "b", {});
    ASSERT_TRUE(eventually([&] { return a.connected() && b.connected(); }));
    EXPECT_EQ(connects.load(), 1);
    received got;
    auto sub = a.subscribe("wscam.frame.*", [&](const incoming& in) { got.add(in); });
    ASSERT_TRUE(sub);
    std::this_thread::sleep_for(100ms);  // the subscription reaches the server
    ASSERT_EQ(b.publish("wscam.frame.cam", bytes("jpeg bytes"), "B", "1234"), nats_link::sent::ok);
    ASSERT_EQ(b.publish("wscam.frame.yard", bytes("plain"), {}, {}, b.inbox() + ".7"), nats_link::sent::ok);
    ASSERT_TRUE(eventually([&] { return got.size() == 2; }));
    EXPECT_EQ(got.data[0], "jpeg bytes");
    EXPECT_EQ(got.subjects[0], "wscam.frame.cam");
    EXPECT_EQ(got.nodes[0], "B");
    EXPECT_EQ(got.epochs[0], "1234");
    EXPECT_EQ(got.nodes[1], "");
    EXPECT_EQ(got.replies[1], b.inbox() + ".7");
    EXPECT_EQ(b.inbox().rfind("_INBOX.", 0), 0u);
    // Its own messages do not come back to a connection (no echo).
    ASSERT_EQ(a.publish("wscam.frame.cam", bytes("mine"), "A", "1"), nats_link::sent::ok);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(got.size(), 2u);
}

TEST(nats_link, connects_in_the_background_and_publishes_only_while_connected) {
    const int port = free_port();
    std::atomic<int> connects{0};
    // No server yet: the constructor does not wait, and nothing is buffered to go out stale.
    const auto before = std::chrono::steady_clock::now();
    nats_link link({"nats://127.0.0.1:" + std::to_string(port)}, "early", on_connected([&](const std::string&) { ++connects; }));
    EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
    EXPECT_FALSE(link.connected());
    EXPECT_EQ(link.max_payload(), 0);
    EXPECT_EQ(link.publish("wscam.announce", bytes("{}")), nats_link::sent::not_connected);
    nats_server server(port);
    ASSERT_TRUE(eventually([&] { return link.connected(); }, 10s));
    EXPECT_TRUE(eventually([&] { return connects.load() == 1; }));
    EXPECT_EQ(link.max_payload(), 1024 * 1024);  // nats-server's default
    EXPECT_EQ(link.publish("wscam.announce", bytes("{}")), nats_link::sent::ok) << link.last_error();
}

TEST(nats_link, refuses_what_is_larger_than_the_servers_max_payload) {
    nats_server server(free_port(), "64KB");
    nats_link link({server.url()}, "big", {});
    ASSERT_TRUE(eventually([&] { return link.connected(); }));
    EXPECT_EQ(link.max_payload(), 64 * 1024);
    const std::string large(100 * 1024, 'x');
    EXPECT_EQ(link.publish("wscam.frame.cam", bytes(large), "A", "1"), nats_link::sent::too_large);
    EXPECT_TRUE(link.connected()) << "a refused frame leaves the connection alone";
    EXPECT_EQ(link.publish("wscam.frame.cam", bytes("small"), "A", "1"), nats_link::sent::ok);
}

TEST(nats_link, fails_over_to_the_next_server_and_keeps_its_subscriptions) {
    nats_server first(free_port());
    nats_server second(free_port());
    std::mutex m;
    std::vector<std::string> urls;
    std::atomic<int> disconnects{0};
    auto on = on_connected([&](const std::string& u) {
        std::lock_guard l(m);
        urls.push_back(u);
    });
    on.disconnected = [&] { ++disconnects; };
    nats_link link({first.url(), second.url()}, "viewer", on);
    ASSERT_TRUE(eventually([&] { return link.connected(); }));
    received got;
    auto sub = link.subscribe("wscam.frame.cam", [&](const incoming& in) { got.add(in); });
    first.kill();
    ASSERT_TRUE(eventually([&] { std::lock_guard l(m); return urls.size() == 2; }, 10s));
    EXPECT_EQ(urls[0], first.url());
    EXPECT_EQ(urls[1], second.url());
    EXPECT_GE(disconnects.load(), 1);
    nats_link other({second.url()}, "owner", {});
    ASSERT_TRUE(eventually([&] { return other.connected(); }));
    std::this_thread::sleep_for(100ms);
    ASSERT_EQ(other.publish("wscam.frame.cam", bytes("after"), "A", "1"), nats_link::sent::ok);
    ASSERT_TRUE(eventually([&] { return got.size() == 1; }));
    EXPECT_EQ(got.data[0], "after");
}

TEST(nats_link, a_slow_handler_loses_messages_instead_of_queueing_them) {
    nats_server server(free_port());
    std::atomic<int> slow{0};
    nats_link::events on;
    on.error = [&](const std::string& what) {
        if (what.find("falling behind on wscam.frame.cam") != std::string::npos) ++slow;
    };
    nats_link viewer({server.url()}, "slow", on);
    nats_link owner({server.url()}, "owner", {});
    ASSERT_TRUE(eventually([&] { return viewer.connected() && owner.connected(); }));
    std::atomic<int> handled{0};
    auto sub = viewer.subscribe(
        "wscam.frame.cam",
        [&](const incoming&) {
            std::this_thread::sleep_for(20ms);
            ++handled;
        },
        2);
    std::this_thread::sleep_for(100ms);
    const std::string frame(32 * 1024, 'f');
    for (int i = 0; i < 50; ++i) ASSERT_EQ(owner.publish("wscam.frame.cam", bytes(frame), "A", "1"), nats_link::sent::ok);
    ASSERT_TRUE(eventually([&] { return slow.load() >= 1; }));
    std::this_thread::sleep_for(500ms);
    EXPECT_LT(handled.load(), 20) << "at most the pending limit waited; the rest was dropped";
    EXPECT_GE(handled.load(), 1);
}

}  // namespace
}  // namespace wscam::cluster
