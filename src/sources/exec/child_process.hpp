#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace wscam {

/**
 * A program run in its own process group, its stdout and stderr on pipes that this process
 * reads (non-blocking), stdin on /dev/null. The program gets no descriptor of ours besides
 * those three, default signal handling and an empty signal mask, and the environment without
 * wscam's `WSCAM_*TOKEN*` secrets.
 *
 * The whole group (a shell script's children too) is ended together: terminate() sends it
 * SIGTERM, then SIGKILL after a grace period, and reaps what it can. This process is made a
 * child subreaper, so the group's orphans come back to it and are reaped too: no zombies.
 * The destructor terminates a group still running.
 */
class child_process {
public:
    /**
     * Starts argv[0] (looked up in PATH when it has no slash). Returns nullopt and sets
     * `error` ("cannot run 'foo': No such file or directory") when it cannot be started.
     * `stdin_fd`: what the program reads as stdin (an event hook's memfd), else /dev/null.
     */
    static std::optional<child_process> spawn(const std::vector<std::string>& argv, std::string* error, int stdin_fd = -1);

    child_process(child_process&& other) noexcept;
    child_process& operator=(child_process&&) = delete;
    child_process(const child_process&) = delete;
    ~child_process();

    pid_t pid() const { return pid_; }
    int stdout_fd() const { return out_fd_; }
    int stderr_fd() const { return err_fd_; }
    /** Closes our end of stderr (after it reported end of file). */
    void close_stderr();

    /**
     * Reaps the program (and any of its group's orphans) if it has ended, without waiting;
     * true once it has. Its wait status is then in exit_status().
     */
    bool exited();
    std::optional<int> exit_status() const { return status_; }

    /**
     * Ends the whole group: SIGTERM, then SIGKILL to what is left after `grace`; returns once
     * the program is reaped and the group is empty (or, for a process the kernel cannot kill
     * at once, after a further bounded wait; a thread then reaps it later). Safe to call twice.
     */
    void terminate(std::chrono::milliseconds grace);

    /**
     * The steps of terminate() for a caller that must not block (a source on an I/O thread):
     * signal_group(SIGTERM), wait with group_gone() checks, signal_group(SIGKILL), wait again,
     * then finish_terminate(): the group counts as ended (a process the kernel could not kill
     * yet is left to a thread that reaps it whenever it goes).
     */
    void signal_group(int signo);
    /** The program reaped and no member of its group left. */
    bool group_gone();
    void finish_terminate();

    /** "exited with code 1", "was killed by signal 9 (Killed)". */
    static std::string describe_status(int wait_status);

private:
    child_process(pid_t pid, int out_fd, int err_fd) : pid_(pid), out_fd_(out_fd), err_fd_(err_fd) {}

    pid_t pid_ = -1;  // also the process group's id
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::optional<int> status_;
    bool group_done_ = false;
};

}  // namespace wscam
