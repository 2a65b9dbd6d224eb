#pragma once
// What wscam-bench's clients share: options, one I/O thread with its clients, per-client counters.
#include <boost/asio.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "bench_stats.hpp"

namespace wscam::bench {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct options {
    std::string url = "ws://127.0.0.1:8080/ws";
    int clients = 100;
    double connect_rate = 1000;  // new connections per second
    double warmup = 2;
    double duration = 10;
    double slow_share = 0;       // fraction of clients reading at slow_rate
    double slow_rate = 1e6;      // bits per second
    unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    bool plain = false;          // do not offer wscam.v1
    std::string json_path;
    int server_pid = 0;          // sample this process's CPU and memory over the window
    int streams = 1;             // with {i} in the URL: client k watches stream k % streams
    bool stamp = false;          // latency from the camera's send stamp in the JPEG, not the capture time
};

inline std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline std::uint64_t get_be(const std::uint8_t* p, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
}

inline std::atomic<bool> measuring{false};

/** One I/O thread with its clients; everything on it is single-threaded. */
struct worker {
    net::io_context ioc{1};
    latency_histogram latency;
    latency_histogram slow_latency;
    latency_histogram lag{60'000'000, 100};  // event-loop lag: how late a 10 ms timer fires
    std::thread thread;
};

struct client_result {
    std::atomic<std::uint64_t> frames{0}, bytes{0}, gaps{0};
    std::atomic<bool> connected{false}, failed{false}, framed{false};
    std::string error;  // written once by its worker before `failed` is set
};

/**
 * One frame a client received: counted, its skipped frames (from its sequence number, 0 when
 * unknown) added, and its latency (from its capture time) recorded while measuring.
 */
inline void record_frame(worker& w, client_result& r, sequence_tracker& seq, bool slow, std::size_t bytes,
                         std::uint64_t sequence, std::optional<std::int64_t> capture_us) {
    const std::uint64_t gap = sequence ? seq.next(sequence) : 0;
    if (capture_us && measuring.load(std::memory_order_relaxed)) (slow ? w.slow_latency : w.latency).add(now_us() - *capture_us);
    r.frames.fetch_add(1, std::memory_order_relaxed);
    r.bytes.fetch_add(bytes, std::memory_order_relaxed);
    if (gap) r.gaps.fetch_add(gap, std::memory_order_relaxed);
}

}  // namespace wscam::bench
