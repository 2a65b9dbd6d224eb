#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/motion_event.hpp"

namespace wscam::events {

/**
 * `--event-exec "PROGRAM ARGS"`: a program run for each event's start and end, with the event as
 * one line of JSON on its stdin (the viewers' `event` message: type, stream, state, event). No
 * shell: the command line is split into words as a shell would (quotes, backslashes) and run with
 * posix_spawn in its own process group, without wscam's descriptors or token variables. Each run is
 * bounded: after `max_run` it gets SIGTERM, 2 s later SIGKILL. At most 4 run at once and 32 wait;
 * beyond that an event is dropped, counted and said once. Its stdout and stderr go to the log (the
 * first 5 lines of each run, sanitised). All of it on a thread of its own: detection never waits.
 */
class exec_hook : public event_output {
public:
    exec_hook(std::vector<std::string> argv, std::chrono::milliseconds max_run);
    ~exec_hook() override;  // programs still running are ended

    void deliver(const notice& n) override;
    std::uint64_t runs() const;
    std::uint64_t dropped() const;

    static constexpr std::size_t max_running = 4;
    static constexpr std::size_t max_waiting = 32;

private:
    struct running;
    void run(std::stop_token stop);

    std::vector<std::string> argv_;
    std::chrono::milliseconds max_run_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<std::string> waiting_;  // the stdin of each run to come
    std::uint64_t runs_ = 0, dropped_ = 0;
    std::jthread thread_;  // last
};

}  // namespace wscam::events
