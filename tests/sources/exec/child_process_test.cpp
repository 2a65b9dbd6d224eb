#include "sources/exec/child_process.hpp"

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
#include <string>
#include <thread>

#include "process_checks.hpp"

namespace wscam {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;
using testing::alive;
using testing::eventually;

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

}  // namespace
}  // namespace wscam
