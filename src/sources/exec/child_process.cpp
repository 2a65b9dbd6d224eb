#include "sources/exec/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <string_view>
#include <thread>

extern char** environ;

namespace wscam {
namespace {

using clock = std::chrono::steady_clock;

/**
 * Orphans of a program's group (a shell's child after the shell died) then come back to us
 * rather than to init, which in a container may never reap them.
 */
void become_subreaper() {
    static std::once_flag once;
    std::call_once(once, [] { ::prctl(PR_SET_CHILD_SUBREAPER, 1); });
}

/** Our pipe ends must not be 0-2, or the child's dup2 steps would overwrite one another. */
int above_stdio(int fd) {
    if (fd > STDERR_FILENO) return fd;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    ::close(fd);
    return moved;
}

bool make_pipe(int fds[2]) {
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    fds[0] = above_stdio(fds[0]);
    fds[1] = above_stdio(fds[1]);
    if (fds[0] >= 0 && fds[1] >= 0) return true;
    if (fds[0] >= 0) ::close(fds[0]);
    if (fds[1] >= 0) ::close(fds[1]);
    return false;
}

/** The environment without wscam's own secrets (WSCAM_VIEW_TOKEN and the like). */
std::vector<char*> child_environment() {
    std::vector<char*> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string_view entry(*e);
        const auto name = entry.substr(0, entry.find('='));
        if (name.starts_with("WSCAM_") && name.find("TOKEN") != std::string_view::npos) continue;
        env.push_back(*e);
    }
    env.push_back(nullptr);
    return env;
}

}  // namespace

std::optional<child_process> child_process::spawn(const std::vector<std::string>& argv, std::string* error, int stdin_fd) {
    auto fail = [&](const std::string& what, int err) {
        if (error) *error = what + ": " + std::strerror(err);
        return std::nullopt;
    };
    if (argv.empty() || argv.front().empty()) return fail("cannot run ''", ENOENT);
    become_subreaper();
    int out[2], err[2];
    if (!make_pipe(out)) return fail("cannot make a pipe", errno);
    if (!make_pipe(err)) {
        const int e = errno;
        ::close(out[0]);
        ::close(out[1]);
        return fail("cannot make a pipe", e);
    }
    // The child's ends block (a program expects that); ours do not.
    ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
    ::fcntl(err[0], F_SETFL, ::fcntl(err[0], F_GETFL) | O_NONBLOCK);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    if (stdin_fd > STDERR_FILENO)
        posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    // Sockets (Asio's have no CLOEXEC), the camera, other sources' pipes: none of them goes along.
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Its own process group, so that its children can be ended with it; and the signal
    // handling a program expects (an ignored SIGPIPE, say, would be inherited).
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    auto env = child_environment();

    pid_t pid = -1;
    // glibc reports a failed exec (not found, not executable) here, from the child.
    const int rc = ::posix_spawnp(&pid, args[0], &actions, &attr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(out[1]);
    ::close(err[1]);
    if (rc != 0) {
        ::close(out[0]);
        ::close(err[0]);
        return fail("cannot run '" + argv.front() + "'", rc);
    }
    return child_process(pid, out[0], err[0]);
}

child_process::child_process(child_process&& other) noexcept
    : pid_(other.pid_), out_fd_(other.out_fd_), err_fd_(other.err_fd_), status_(other.status_),
      group_done_(other.group_done_) {
    other.pid_ = -1;
    other.out_fd_ = other.err_fd_ = -1;
    other.group_done_ = true;
}

child_process::~child_process() {
    if (pid_ > 0) terminate(std::chrono::seconds(2));
    if (out_fd_ >= 0) ::close(out_fd_);
    close_stderr();
}

void child_process::close_stderr() {
    if (err_fd_ >= 0) ::close(err_fd_);
    err_fd_ = -1;
}

bool child_process::exited() {
    if (pid_ <= 0) return true;
    // Reaps the program and any of its group that came back to us as orphans.
    for (;;) {
        int s = 0;
        const pid_t r = ::waitpid(-pid_, &s, WNOHANG);
        if (r > 0) {
            if (r == pid_) status_ = s;
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        break;  // none has ended (0), or none of the group is our child any more (ECHILD)
    }
    return status_.has_value();
}

bool child_process::group_gone() {
    // The program reaped, no member left: killing the group then finds nobody.
    return exited() && ::kill(-pid_, 0) != 0 && errno == ESRCH;
}

void child_process::terminate(std::chrono::milliseconds grace) {
    if (pid_ <= 0 || group_done_) return;
    auto wait_until_gone = [&](clock::time_point deadline) {
        while (!group_gone()) {
            if (clock::now() >= deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return true;
    };
    signal_group(SIGTERM);
    if (!wait_until_gone(clock::now() + grace)) {
        signal_group(SIGKILL);
        // SIGKILL takes effect when a process leaves the kernel; one stuck in a driver may not
        // for a while. Wait a little (then finish_terminate leaves it to a thread).
        wait_until_gone(clock::now() + std::chrono::seconds(2));
    }
    finish_terminate();
}

void child_process::signal_group(int signo) {
    if (pid_ > 0 && !group_done_) ::kill(-pid_, signo);
}

void child_process::finish_terminate() {
    if (pid_ <= 0 || group_done_) return;
    if (!exited())
        std::thread([pid = pid_] {
            int s = 0;
            while (::waitpid(pid, &s, 0) < 0 && errno == EINTR) {
            }
        }).detach();
    group_done_ = true;
}

std::string child_process::describe_status(int s) {
    if (WIFEXITED(s)) return "exited with code " + std::to_string(WEXITSTATUS(s));
    if (WIFSIGNALED(s)) {
        const char* abbrev = ::sigabbrev_np(WTERMSIG(s));
        return "was killed by signal " + std::to_string(WTERMSIG(s)) +
               (abbrev ? std::string(" (SIG") + abbrev + ")" : std::string());
    }
    return "ended (wait status " + std::to_string(s) + ")";
}

}  // namespace wscam
