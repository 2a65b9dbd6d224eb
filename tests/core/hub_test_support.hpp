#pragma once
// What tests/core/frame_hub_test.cpp and stream_test.cpp share: sinks that record what reached
// them, and a harness that races subscribers against another thread.

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/frame_hub.hpp"

namespace wscam::test {

/** Records everything a hub or its stream told it (one thread at a time). */
struct recording_sink : frame_sink {
    std::vector<std::uint64_t> sequences;
    std::vector<stream_status> statuses;
    std::vector<std::pair<std::string, double>> controls;
    std::atomic<std::size_t> watching{1};
    std::vector<std::string> removals;
    void on_removed(const std::string& why) override { removals.push_back(why); }
    void on_frame(frame_ptr f) override { sequences.push_back(f->sequence()); }
    void on_status(const stream_status& s) override { statuses.push_back(s); }
    void on_control_changed(const std::string& id, double v) override { controls.emplace_back(id, v); }
    std::size_t viewers() const override { return watching.load(); }
};

/** Publishes an `n`-byte frame (a hub or a stream). */
template <class Hub>
frame_ptr publish_bytes(Hub& hub, std::size_t n) {
    auto storage = frame::make_storage(n);
    return hub.publish(std::move(storage), n, frame_info{320, 240, unix_now_us()});
}

/** A sink for the race tests below: what reached it, each written by one thread only. */
struct racing_sink : frame_sink {
    std::vector<std::uint64_t> frames;  // the publishing thread's
    std::atomic<int> removals{0};
    std::atomic<std::uint64_t> newest_status{0};
    void on_frame(frame_ptr f) override { frames.push_back(f->sequence()); }
    void on_removed(const std::string&) override { ++removals; }
    void on_status(const stream_status& s) override {
        auto seen = newest_status.load();
        while (seen < s.version && !newest_status.compare_exchange_weak(seen, s.version)) {}
    }
};

/**
 * `rounds` times: a fresh hub from `make()`; `other(hub)` on a second thread and, released at
 * the same instant, `joins` sinks subscribing one after another on this one
 * (`join(hub, sink, i)`); then `check(hub, sink, i)` for each. Each round's interleavings differ.
 */
template <class Make, class Other, class Join, class Check>
void race(Make make, Other other, Join join, Check check) {
    constexpr int rounds = 3000, joins = 40;
    for (int round = 0; round < rounds && !::testing::Test::HasFailure(); ++round) {
        auto hub = make();
        std::vector<std::shared_ptr<racing_sink>> sinks;
        for (int i = 0; i < joins; ++i) sinks.push_back(std::make_shared<racing_sink>());
        std::atomic<int> ready{0};
        std::thread t([&] {
            ++ready;
            while (ready.load() < 2) std::this_thread::yield();
            other(*hub);
        });
        ++ready;
        while (ready.load() < 2) std::this_thread::yield();
        for (int i = 0; i < joins; ++i) join(*hub, sinks[i], i);
        t.join();
        for (int i = 0; i < joins; ++i) check(*hub, *sinks[i], i);
    }
}

}  // namespace wscam::test
