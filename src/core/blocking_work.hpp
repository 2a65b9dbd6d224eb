#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wscam {

/**
 * A few threads for work that blocks (reading and writing files, decoding video), so that no
 * I/O thread ever waits on it: an I/O thread hands a job over and goes on serving its other
 * connections. Bounded: at most `max_waiting` jobs wait beyond the ones running, and a job
 * that does not fit is refused at once (the caller answers "busy"), never queued.
 *
 * Invariant: a job runs at most once, on one of the pool's threads; jobs still waiting when
 * the pool is destroyed are dropped without running (their captures are released), and the
 * destructor waits for the running ones.
 */
class blocking_work {
public:
    blocking_work(std::size_t threads, std::size_t max_waiting);
    ~blocking_work();
    blocking_work(const blocking_work&) = delete;
    blocking_work& operator=(const blocking_work&) = delete;

    /**
     * Queues `job`; false (the job is dropped, not run) when max_waiting jobs already wait. An
     * `urgent` job (one a trusted client asked for: deleting recordings) goes ahead of those
     * waiting and finds room beyond max_waiting (urgent_extra more), so a queue others filled
     * delays it by the jobs running at most.
     */
    bool try_run(std::function<void()> job, bool urgent = false);
    static constexpr std::size_t urgent_extra = 4;
    /** Jobs running or waiting now. */
    std::size_t busy() const;

private:
    void work(std::stop_token stop);

    const std::size_t max_waiting_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<std::function<void()>> waiting_;  // under mutex_
    std::size_t running_ = 0;                    // under mutex_
    std::vector<std::jthread> threads_;          // last: they use everything above
};

}  // namespace wscam
