#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "events/event_retention.hpp"
#include "events/event_store.hpp"

namespace wscam::events {

/**
 * The output that keeps events: notices wait in a bounded queue (256; beyond it a notice is
 * dropped, counted and said once) for a thread of its own that writes them to the store, so a
 * slow disk never delays detection. The same thread applies retention at start and every minute.
 */
class event_journal : public event_output {
public:
    event_journal(std::shared_ptr<event_store> store, event_retention keep);
    ~event_journal() override;

    void deliver(const notice& n) override;
    void set_retention(event_retention keep);
    const std::shared_ptr<event_store>& store() const { return store_; }
    std::uint64_t dropped() const;
    /** Waits until every notice queued so far is written (tests, shutdown). */
    void flush();

    static constexpr std::size_t max_queued = 256;

private:
    void run(std::stop_token stop);

    std::shared_ptr<event_store> store_;
    mutable std::mutex mutex_;
    std::condition_variable_any wake_, done_;
    std::deque<notice> queue_;
    bool writing_ = false;
    event_retention keep_;
    std::uint64_t dropped_ = 0;
    std::jthread thread_;  // last
};

}  // namespace wscam::events
