#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

namespace wscam {

/** Sleeps until `deadline` or until stop is requested; returns false if stopped. */
inline bool sleep_until(std::stop_token stop, std::chrono::steady_clock::time_point deadline) {
    std::mutex m;
    std::condition_variable_any cv;
    std::unique_lock lock(m);
    cv.wait_until(lock, stop, deadline, [] { return false; });
    return !stop.stop_requested();
}

inline bool sleep_for(std::stop_token stop, std::chrono::steady_clock::duration d) {
    return sleep_until(stop, std::chrono::steady_clock::now() + d);
}

}  // namespace wscam
