// exec: a program as a camera, with sh and small scripts as the programs.
#include "sources/exec/exec_source.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "../../codec/jpeg_fixtures.hpp"
#include "../source_errors.hpp"
#include "core/stream.hpp"
#include "process_checks.hpp"
#include "sources/source_factory.hpp"

namespace wscam {
namespace {

using namespace std::chrono_literals;
using testing::alive;
using testing::eventually;

/** A viewer: makes the source run and keeps what it is told. */
struct viewer : frame_sink {
    std::mutex mutex;
    std::size_t frames = 0;
    std::vector<stream_status> statuses;
    void on_frame(frame_ptr) override {
        std::lock_guard lock(mutex);
        ++frames;
    }
    void on_status(const stream_status& s) override {
        std::lock_guard lock(mutex);
        statuses.push_back(s);
    }
    std::size_t count() {
        std::lock_guard lock(mutex);
        return frames;
    }
    std::string last_offline() {
        std::lock_guard lock(mutex);
        for (auto it = statuses.rbegin(); it != statuses.rend(); ++it)
            if (!it->online) return it->reason;
        return {};
    }
};

struct exec_fixture : ::testing::Test {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("wscam-exec-" + std::to_string(::getpid()) + "-" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::string jpeg = (dir / "frame.jpg").string();
    std::string pids = (dir / "pids").string();
    source_defaults defaults;

    void SetUp() override {
        std::filesystem::create_directories(dir);
        const auto bytes = test::make_jpeg(64, 48);
        std::ofstream(jpeg, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        defaults.intake.reconnect_initial = 50ms;
        defaults.intake.reconnect_max = 100ms;
        defaults.intake.idle_grace = 200ms;
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    /** A camera program: notes its pid, then sends the JPEG 50 times a second (`then` after `n` frames). */
    std::string camera(int n = 1000000, const std::string& then = "") const {
        return "exec:sh -c 'echo $$ >> " + pids + "; i=0; while [ $i -lt " + std::to_string(n) + " ]; do cat " + jpeg +
               "; sleep 0.02; i=$((i+1)); done; " + then + "'";
    }
    std::vector<pid_t> started() const {
        std::vector<pid_t> out;
        std::ifstream in(pids);
        for (pid_t p; in >> p;) out.push_back(p);
        return out;
    }
};

TEST_F(exec_fixture, frames_flow_while_someone_watches) {
    auto hub = std::make_shared<stream>("cam");
    auto src = make_source(camera(), hub, defaults);
    EXPECT_EQ(src->describe().rfind("exec:sh -c 'echo $$", 0), 0u);
    auto v = std::make_shared<viewer>();
    hub->subscribe(v);
    src->start();
    EXPECT_TRUE(eventually([&] { return v->count() >= 10; }));
    EXPECT_TRUE(hub->status().online);
    EXPECT_EQ(hub->latest()->width(), 64);
    src->stop();
    ASSERT_EQ(started().size(), 1u);
    EXPECT_FALSE(alive(started()[0])) << "stopping the source ends the program";
}

TEST_F(exec_fixture, the_program_runs_only_while_someone_watches) {
    auto hub = std::make_shared<stream>("cam");
    defaults.intake.idle_grace = 500ms;
    auto src = make_source(camera(), hub, defaults);
    src->start();
    std::this_thread::sleep_for(300ms);
    EXPECT_TRUE(started().empty()) << "nobody watches: not started";
    auto v = std::make_shared<viewer>();
    hub->subscribe(v);
    EXPECT_TRUE(eventually([&] { return v->count() >= 3; }));
    ASSERT_EQ(started().size(), 1u);
    hub->unsubscribe(v.get());
    std::this_thread::sleep_for(200ms);
    EXPECT_TRUE(alive(started()[0])) << "kept for idle_grace (500 ms) after the last viewer left";
    EXPECT_TRUE(eventually([&] { return !alive(started()[0]); })) << "then ended";
    EXPECT_EQ(started().size(), 1u);
    src->stop();
}

TEST_F(exec_fixture, an_exit_takes_the_stream_offline_with_the_code_and_the_program_starts_again) {
    auto hub = std::make_shared<stream>("cam");
    auto src = make_source(camera(5, "exit 7"), hub, defaults);
    auto v = std::make_shared<viewer>();
    hub->subscribe(v);
    src->start();
    EXPECT_TRUE(eventually([&] { return started().size() >= 3; })) << "restarted, again and again";
    EXPECT_EQ(v->last_offline().rfind("exec: 'sh' exited with code 7; restarting in ", 0), 0u) << v->last_offline();
    src->stop();
}

TEST_F(exec_fixture, a_program_that_sends_no_frame_is_ended_after_the_stall_timeout) {
    defaults.intake.stall_timeout = 300ms;
    auto hub = std::make_shared<stream>("cam");
    auto src = make_source("exec:sh -c 'echo $$ >> " + pids + "; echo not a jpeg; exec sleep 60'", hub, defaults);
    auto v = std::make_shared<viewer>();
    hub->subscribe(v);
    src->start();
    EXPECT_TRUE(eventually([&] { return started().size() >= 2; }));
    EXPECT_EQ(v->last_offline().rfind("exec: no frame for 0.3 s from 'sh'; restarting in ", 0), 0u) << v->last_offline();
    EXPECT_FALSE(alive(started()[0]));
    src->stop();
}

TEST_F(exec_fixture, a_missing_program_is_reported_and_tried_again) {
    auto hub = std::make_shared<stream>("cam");
    auto src = make_source("exec:wscam-no-such-camera --fps 5", hub, defaults);
    auto v = std::make_shared<viewer>();
    hub->subscribe(v);
    src->start();
    EXPECT_TRUE(eventually([&] { return v->last_offline().find("restarting") != std::string::npos; }));
    EXPECT_EQ(v->last_offline().rfind("exec: cannot run 'wscam-no-such-camera': No such file or directory; restarting in ", 0), 0u)
        << v->last_offline();
    src->stop();
}

TEST(exec_source_factory, refuses_commands_it_cannot_split) {
    auto hub = std::make_shared<stream>("cam");
    auto error_of = [&](const std::string& uri) { return testing::source_error(uri, hub); };
    EXPECT_EQ(error_of("exec:").rfind("exec: empty command", 0), 0u);
    EXPECT_EQ(error_of("exec:ffmpeg -i 'x"), "exec: unterminated single quote (opened at character 11)");
    EXPECT_EQ(error_of("exec:anything?at=all"), "accepted") << "a program's existence is checked when it runs";
}

}  // namespace
}  // namespace wscam
