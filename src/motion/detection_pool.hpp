#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace wscam::motion {

/**
 * The threads that look for motion, shared by every stream that detects. A stream asks for a
 * turn when it has a new picture; turns are taken in the order asked, and a stream has at most
 * one turn waiting and one running, so a slow stream can never hold a queue of work and one
 * stream's detection delays another's by at most one picture's work (a 1/4 decode and a pass
 * over 20,000 pixels, ~1 ms). Every `tick_every` each stream is also given a turn with nothing
 * new (an event ends when its camera stops sending).
 */
class detection_pool {
public:
    class job {
    public:
        virtual ~job() = default;
        /** One turn, on a pool thread; never two at once for the same job. */
        virtual void run() = 0;
        /** The periodic turn without a picture. */
        virtual void tick() = 0;

    private:
        friend class detection_pool;
        bool queued_ = false, running_ = false, again_ = false;  // under the pool's mutex
        bool tick_due_ = false;
    };

    explicit detection_pool(unsigned threads);
    ~detection_pool();
    detection_pool(const detection_pool&) = delete;
    detection_pool& operator=(const detection_pool&) = delete;

    /** `j` wants a turn (any thread, never blocks). */
    void schedule(const std::shared_ptr<job>& j);
    /** `j` takes part in ticks while it lives. */
    void watch(const std::weak_ptr<job>& j);

    static constexpr std::chrono::milliseconds tick_every{250};

private:
    void work(std::stop_token stop);
    void queue(const std::shared_ptr<job>& j);  // mutex_ held

    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<std::shared_ptr<job>> ready_;
    std::vector<std::weak_ptr<job>> watched_;
    std::chrono::steady_clock::time_point next_tick_;
    std::vector<std::jthread> threads_;  // last
};

}  // namespace wscam::motion
