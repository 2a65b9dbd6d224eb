#pragma once
// What the tests of programs run as cameras ask about processes.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <thread>

namespace wscam::testing {

/** The process exists (and is not yet reaped). */
inline bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

/** Polls `pred` every 10 ms until it holds (true) or `bound` has passed (false). */
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds bound = std::chrono::seconds(8)) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace wscam::testing
