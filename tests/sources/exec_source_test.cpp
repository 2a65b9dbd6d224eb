// exec: a program as a camera. Its pieces (stderr to the log, the process group) and the
// source as a whole, with sh and small scripts as the programs.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "../codec/jpeg_fixtures.hpp"
#include "core/frame_hub.hpp"
#include "sources/exec/child_process.hpp"
#include "source_errors.hpp"
#include "sources/source_factory.hpp"
#include "sources/exec/stderr_lines.hpp"

namespace wscam {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
using lines = std::vector<std::string>;

// ---- stderr_lines ----

TEST(stderr_lines, splits_at_line_breaks_and_makes_each_line_safe_to_log) {
    lines got;
    stderr_lines log([&](const std::string& l) { got.push_back(l); });
    const auto t = clock::now();
    log.feed("first\nsec", t);
    log.feed("ond\r\n\nframe=  1\rframe=  2\r", t);
    log.feed("\x1b[31mred\x1b[0m \xff\n  \t \nunfinished", t);
    EXPECT_EQ(got, (lines{"first", "second", "frame=  1", "frame=  2", " [31mred [0m \xEF\xBF\xBD"}))
        << "escape sequences lose their ESC, invalid UTF-8 becomes U+FFFD, blank lines are skipped";
    log.finish(t + 2s);
    EXPECT_EQ(got.back(), "unfinished");
}

TEST(stderr_lines, cuts_a_long_line_with_an_ellipsis) {
    lines got;
    stderr_lines log([&](const std::string& l) { got.push_back(l); });
    log.feed(std::string(100000, 'x') + "\nnext\n", clock::now());
    ASSERT_EQ(got.size(), 2u);
    EXPECT_LE(got[0].size(), 512u);
    EXPECT_EQ(got[0].substr(got[0].size() - 3), "\xE2\x80\xA6");
    EXPECT_EQ(got[1], "next");
}

TEST(stderr_lines, lets_five_lines_a_second_through_then_says_how_many_it_held_back) {
    lines got;
    stderr_lines log([&](const std::string& l) { got.push_back(l); });
    const auto t = clock::now();
    for (int i = 1; i <= 12; ++i) log.feed("line " + std::to_string(i) + "\n", t + std::chrono::milliseconds(i));
    EXPECT_EQ(got, (lines{"line 1", "line 2", "line 3", "line 4", "line 5"}));
    log.tick(t + 500ms);
    EXPECT_EQ(got.size(), 5u) << "the second is not over yet";
    log.tick(t + 1001ms);
    EXPECT_EQ(got.back(), "7 lines suppressed");
    log.feed("line 13\n", t + 1100ms);
    EXPECT_EQ(got.back(), "line 13") << "a new second lets lines through again";
    for (int i = 14; i <= 20; ++i) log.feed("line " + std::to_string(i) + "\n", t + 1200ms);
    log.finish(t + 1300ms);
    EXPECT_EQ(got.back(), "3 lines suppressed") << "the end reports what is still held back";
}

// ---- child_process ----

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds bound = 8s) {
    const auto deadline = clock::now() + bound;
    while (!pred()) {
        if (clock::now() > deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

/** Reads a child's stdout until `want` bytes or end of file (bounded). */
std::string read_output(int fd, std::size_t want = SIZE_MAX, std::chrono::milliseconds bound = 5s) {
    std::string out;
    const auto deadline = clock::now() + bound;
    char buf[4096];
    while (out.size() < want && clock::now() < deadline) {
        const auto n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n > 0) out.append(buf, static_cast<std::size_t>(n));
        else std::this_thread::sleep_for(5ms);
    }
    return out;
}

TEST(child_process, says_why_a_program_cannot_run) {
    std::string error;
    EXPECT_FALSE(child_process::spawn({"wscam-no-such-program", "-x"}, &error));
    EXPECT_EQ(error, "cannot run 'wscam-no-such-program': No such file or directory");
    const auto dir = std::filesystem::temp_directory_path() / ("wscam-exec-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto script = (dir / "not-executable.sh").string();
    std::ofstream(script) << "#!/bin/sh\necho hi\n";
    EXPECT_FALSE(child_process::spawn({script}, &error));
    EXPECT_EQ(error, "cannot run '" + script + "': Permission denied");
    std::filesystem::remove_all(dir);
}

TEST(child_process, hands_over_stdout_and_stderr_and_reports_how_it_ended) {
    std::string error;
    auto child = child_process::spawn({"sh", "-c", "echo out; echo err >&2; exit 3"}, &error);
    ASSERT_TRUE(child) << error;
    EXPECT_EQ(read_output(child->stdout_fd()), "out\n");
    EXPECT_EQ(read_output(child->stderr_fd()), "err\n");
    const auto deadline = clock::now() + 5s;
    while (!child->exited() && clock::now() < deadline) std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(child->exit_status());
    EXPECT_EQ(child_process::describe_status(*child->exit_status()), "exited with code 3");
    EXPECT_EQ(child_process::describe_status(SIGKILL), "was killed by signal 9 (SIGKILL)");
}

TEST(child_process, gives_the_program_no_descriptor_beyond_stdin_stdout_and_stderr) {
    const int inherited = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, like Asio's sockets
    ASSERT_GE(inherited, 3);
    const auto old_pipe = ::signal(SIGPIPE, SIG_IGN);   // an ignored signal is inherited by exec
    std::string error;
    auto child = child_process::spawn({"sh", "-c", "ls /proc/$$/fd; read x && echo stdin-has-data; echo sig=$(grep SigIgn /proc/$$/status)"}, &error);
    ::signal(SIGPIPE, old_pipe);
    ::close(inherited);
    ASSERT_TRUE(child) << error;
    const auto out = read_output(child->stdout_fd());
    // sh may use a high descriptor of its own (dash opens 10 for `$(...)`), never ours.
    EXPECT_EQ(out.find("\n" + std::to_string(inherited) + "\n"), std::string::npos) << out;
    EXPECT_EQ(out.rfind("0\n1\n2\n", 0), 0u) << out;
    EXPECT_EQ(out.find("stdin-has-data"), std::string::npos) << "stdin is /dev/null";
    // glibc's posix_spawn leaves its two internal signals (32, 33) ignored; none of the standard ones may be.
    const auto sig = out.find("SigIgn:");
    ASSERT_NE(sig, std::string::npos) << out;
    const auto ignored = std::stoull(out.substr(sig + 7), nullptr, 16);
    for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD})
        EXPECT_FALSE(ignored & (1ull << (s - 1))) << "signal " << s << " ignored: " << out;
}

TEST(child_process, terminate_ends_the_whole_group_children_included_and_reaps_it) {
    std::string error;
    auto child = child_process::spawn({"sh", "-c", "sleep 60 & echo $!; wait"}, &error);
    ASSERT_TRUE(child) << error;
    const auto grandchild = static_cast<pid_t>(std::stoi(read_output(child->stdout_fd(), 2)));
    ASSERT_TRUE(alive(grandchild));
    const auto started = clock::now();
    child->terminate(2s);
    EXPECT_LT(clock::now() - started, 1s) << "both obey SIGTERM at once";
    EXPECT_FALSE(alive(grandchild)) << "the shell's child is gone too (and reaped: kill finds no zombie)";
    EXPECT_FALSE(alive(child->pid()));
    ASSERT_TRUE(child->exit_status());
    EXPECT_EQ(child_process::describe_status(*child->exit_status()), "was killed by signal 15 (SIGTERM)");
}

TEST(child_process, a_group_that_ignores_sigterm_gets_sigkill_after_the_grace) {
    std::string error;
    auto child = child_process::spawn({"sh", "-c", "trap '' TERM; sleep 60 & echo $!; wait"}, &error);
    ASSERT_TRUE(child) << error;
    const auto grandchild = static_cast<pid_t>(std::stoi(read_output(child->stdout_fd(), 2)));
    const auto started = clock::now();
    child->terminate(300ms);
    const auto took = clock::now() - started;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 2s);
    EXPECT_FALSE(alive(grandchild));
    EXPECT_FALSE(alive(child->pid()));
}

pid_t parent_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = all.rfind(')');  // after "pid (comm)": state, then the parent
    if (close == std::string::npos) return -1;
    std::istringstream rest(all.substr(close + 1));
    char state = 0;
    pid_t ppid = -1;
    rest >> state >> ppid;
    return ppid;
}

TEST(child_process, orphans_of_the_group_are_reaped_when_the_program_has_ended) {
    std::string error;
    // The shell exits at once; its child lives on in the group, then goes.
    auto child = child_process::spawn({"sh", "-c", "sleep 0.3 & echo $!"}, &error);
    ASSERT_TRUE(child) << error;
    const auto orphan = static_cast<pid_t>(std::stoi(read_output(child->stdout_fd(), 2)));
    ASSERT_TRUE(eventually([&] { return child->exited(); }));
    EXPECT_EQ(parent_of(orphan), ::getpid()) << "the orphan came back to us (child subreaper), not to init";
    child->terminate(2s);
    EXPECT_FALSE(alive(orphan)) << "came back to us and was reaped, no zombie";
}

// ---- exec_source ----

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
    auto hub = std::make_shared<frame_hub>("cam");
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
    auto hub = std::make_shared<frame_hub>("cam");
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
    auto hub = std::make_shared<frame_hub>("cam");
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
    auto hub = std::make_shared<frame_hub>("cam");
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
    auto hub = std::make_shared<frame_hub>("cam");
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
    auto hub = std::make_shared<frame_hub>("cam");
    auto error_of = [&](const std::string& uri) { return testing::source_error(uri, hub); };
    EXPECT_EQ(error_of("exec:").rfind("exec: empty command", 0), 0u);
    EXPECT_EQ(error_of("exec:ffmpeg -i 'x"), "exec: unterminated single quote (opened at character 11)");
    EXPECT_EQ(error_of("exec:anything?at=all"), "accepted") << "a program's existence is checked when it runs";
}

}  // namespace
}  // namespace wscam
