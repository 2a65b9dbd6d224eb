// wscam-bench: opens many WebSocket viewers (or MJPEG-over-HTTP readers) against a stream and measures what each one gets:
// delivered fps, source-to-client latency (from the wscam.v1 frame header; same host, so one
// clock), frames skipped (sequence gaps), bytes/s and connect failures. It watches its own
// event-loop lag and says so when it, not the server, is the bottleneck.
//
//   wscam-bench --url ws://127.0.0.1:8080/ws --clients 1000 --duration 20
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unistd.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench_client.hpp"
#include "mjpeg_client.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using wscam::bench::latency_histogram;
using steady = std::chrono::steady_clock;

namespace {

using namespace wscam::bench;

class client : public std::enable_shared_from_this<client> {
public:
    client(worker& w, client_result& r, const options& o, tcp::endpoint ep, std::string host, std::string target, bool slow)
        : w_(w), r_(r), o_(o), ep_(ep), host_(std::move(host)), target_(std::move(target)), slow_(slow),
          ws_(w.ioc), timer_(w.ioc) {}

    void start() {
        auto& sock = beast::get_lowest_layer(ws_);
        sock.expires_after(std::chrono::seconds(10));
        if (slow_) {
            // A slow link has a small window; without this the kernel would absorb seconds of video.
            beast::error_code ec;
            sock.socket().open(tcp::v4(), ec);
            sock.socket().set_option(net::socket_base::receive_buffer_size(16 * 1024), ec);
        }
        sock.async_connect(ep_, [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
    }

private:
    void fail(const std::string& what, beast::error_code ec) {
        if (r_.failed || r_.connected) return;  // errors after a good connection are just the end
        r_.error = what + ": " + ec.message();
        r_.failed = true;
    }

    void on_connect(beast::error_code ec) {
        if (ec) return fail("connect", ec);
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
        ws_.read_message_max(64 * 1024 * 1024);
        const bool offer = !o_.plain;
        ws_.set_option(websocket::stream_base::decorator([offer](websocket::request_type& req) {
            if (offer) req.set(http::field::sec_websocket_protocol, "wscam.v1");
            req.set(http::field::user_agent, "wscam-bench");
        }));
        ws_.async_handshake(res_, host_, target_, [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
    }

    void on_handshake(beast::error_code ec) {
        if (ec) return fail("handshake", ec);
        r_.framed = res_[http::field::sec_websocket_protocol] == "wscam.v1";
        r_.connected = true;
        do_read();
    }

    void do_read() {
        if (!slow_) {
            ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
            return;
        }
        // Slow reader: a chunk at a time, paced to slow_rate.
        constexpr std::size_t chunk = 4096;
        ws_.async_read_some(buffer_, chunk, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec) return;
            const auto pause = std::chrono::microseconds(static_cast<std::int64_t>(n * 8 * 1e6 / self->o_.slow_rate));
            const bool done = self->ws_.is_message_done();
            self->timer_.expires_after(pause);
            self->timer_.async_wait([self, done](beast::error_code) {
                if (done) self->on_read({});
                else self->do_read();
            });
        });
    }

    void on_read(beast::error_code ec) {
        if (ec) return;
        const auto data = buffer_.cdata();
        const auto* p = static_cast<const std::uint8_t*>(data.data());
        const auto size = data.size();
        if (!ws_.got_text()) {
            // Type 1 carries a JPEG, type 2 an H.264 access unit (?codec=h264), type 3 an fMP4
            // segment (?codec=fmp4): the same header.
            const bool header = r_.framed && size >= 32 && (p[0] == 1 || p[0] == 2 || p[0] == 3) && p[1] <= size;
            const std::size_t jpeg = header ? p[1] : 0;
            // -1: no time known (GCC 12 warns falsely about a std::optional built on this path).
            std::int64_t at = -1;
            if (o_.stamp)
                at = sent_stamp(p + jpeg, size - jpeg).value_or(-1);
            else if (header)
                at = static_cast<std::int64_t>(get_be(p + 16, 8));
            record_frame(w_, r_, seq_, slow_, size, header ? get_be(p + 8, 8) : 0,
                         at >= 0 ? std::optional<std::int64_t>(at) : std::nullopt);
        }
        buffer_.consume(size);
        do_read();
    }

    worker& w_;
    client_result& r_;
    const options& o_;
    tcp::endpoint ep_;
    std::string host_, target_;
    bool slow_;
    websocket::stream<beast::tcp_stream> ws_;
    net::steady_timer timer_;
    websocket::response_type res_;
    beast::flat_buffer buffer_;
    wscam::bench::sequence_tracker seq_;
};

void watch_lag(worker& w, std::shared_ptr<net::steady_timer> t, steady::time_point due) {
    t->expires_at(due);
    t->async_wait([&w, t, due](beast::error_code ec) {
        if (ec) return;
        const auto late = std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - due).count();
        if (measuring.load(std::memory_order_relaxed)) w.lag.add(late);
        watch_lag(w, t, steady::now() + std::chrono::milliseconds(10));
    });
}

/** The target client `i` opens: {i} replaced by its stream's number. */
std::string stream_target(std::string target, int i, int streams) {
    const auto at = target.find("{i}");
    if (at != std::string::npos) target.replace(at, 3, std::to_string(i % std::max(1, streams)));
    return target;
}

/** Threads of another process, from /proc. */
long process_threads(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("Threads:", 0) == 0) return std::stol(line.substr(8));
    return 0;
}

/** CPU seconds (user + system) and RSS in KiB of another process, from /proc. */
std::pair<double, long> process_usage(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    std::istringstream rest(close == std::string::npos ? "" : line.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i)
        if (i == 14 || i == 15) ticks += std::stod(field);
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    long rss = 0;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
    return {ticks / static_cast<double>(sysconf(_SC_CLK_TCK)), rss};
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    CLI::App app{"wscam-bench: N WebSocket viewers (or MJPEG readers) against a wscam stream; reports fps, latency, drops, throughput"};
    app.add_option("--url", o.url, "Stream to watch: ws://HOST:PORT/ws[/NAME], or http://HOST:PORT/stream/NAME.mjpg for MJPEG readers")
        ->capture_default_str();
    app.add_option("-n,--clients", o.clients, "Viewers to open")->check(CLI::Range(1, 200000))->capture_default_str();
    app.add_option("--connect-rate", o.connect_rate, "New connections per second while ramping up")->capture_default_str();
    app.add_option("--warmup", o.warmup, "Seconds after the last connection before measuring")->capture_default_str();
    app.add_option("-d,--duration", o.duration, "Seconds to measure")->capture_default_str();
    app.add_option("--slow-share", o.slow_share, "Fraction of viewers that read slowly")->check(CLI::Range(0.0, 1.0))->capture_default_str();
    app.add_option("--slow-rate", o.slow_rate, "Read rate of slow viewers, bits/s")->capture_default_str();
    app.add_option("--threads", o.threads, "Client threads")->capture_default_str();
    app.add_flag("--plain", o.plain, "Do not offer the wscam.v1 subprotocol (no latency or gap figures)");
    app.add_option("--json", o.json_path, "Also write the results as JSON to this file (- for stdout)");
    app.add_option("--server-pid", o.server_pid, "Server process to sample (CPU, RSS, threads) over the measured window");
    app.add_option("--streams", o.streams, "Spread the clients over this many streams: {i} in --url becomes 0..N-1 (client k watches k % N)")
        ->check(CLI::Range(1, 100000))->capture_default_str();
    app.add_flag("--stamp", o.stamp, "Latency from the send time the camera stamped into each JPEG (COM \"wscam-sent:\"), "
                 "not from wscam's capture time: end to end through wscam");
    CLI11_PARSE(app, argc, argv);

    // ws://host:port/target (WebSocket viewers) or http://host:port/stream/NAME.mjpg (MJPEG readers)
    std::string rest = o.url;
    const bool mjpeg = rest.rfind("http://", 0) == 0;
    if (rest.rfind("ws://", 0) != 0 && !mjpeg) {
        std::fprintf(stderr, "--url must start with ws:// or http://\n");
        return 2;
    }
    rest = rest.substr(mjpeg ? 7 : 5);
    const auto slash = rest.find('/');
    const std::string hostport = rest.substr(0, slash);
    const std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
    const auto colon = hostport.rfind(':');
    const std::string host = hostport.substr(0, colon);
    const std::string port = colon == std::string::npos ? "80" : hostport.substr(colon + 1);
    tcp::endpoint ep;
    try {
        net::io_context resolve_ctx;
        ep = *tcp::resolver(resolve_ctx).resolve(host, port).begin();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cannot resolve %s: %s\n", hostport.c_str(), e.what());
        return 1;
    }

    std::vector<std::unique_ptr<worker>> workers;
    for (unsigned i = 0; i < o.threads; ++i) workers.push_back(std::make_unique<worker>());
    std::vector<client_result> results(static_cast<std::size_t>(o.clients));
    const int slow_count = static_cast<int>(o.slow_share * o.clients + 0.5);
    std::vector<bool> is_slow(static_cast<std::size_t>(o.clients), false);
    for (int i = 0; i < slow_count; ++i) is_slow[static_cast<std::size_t>(i * o.clients / std::max(1, slow_count))] = true;

    for (auto& w : workers) {
        auto guard = std::make_shared<net::executor_work_guard<net::io_context::executor_type>>(w->ioc.get_executor());
        w->thread = std::thread([&w = *w, guard]() mutable { w.ioc.run(); });
        auto t = std::make_shared<net::steady_timer>(w->ioc);
        net::post(w->ioc, [&w = *w, t] { watch_lag(w, t, steady::now() + std::chrono::milliseconds(10)); });
        (void)guard;
    }

    // Ramp up at connect_rate, spreading clients over the workers.
    const auto ramp_start = steady::now();
    for (int i = 0; i < o.clients; ++i) {
        std::this_thread::sleep_until(ramp_start + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(i / o.connect_rate)));
        auto& w = *workers[static_cast<std::size_t>(i) % workers.size()];
        net::post(w.ioc, [&w, &r = results[static_cast<std::size_t>(i)], &o, ep, hostport, target, mjpeg, i,
                          slow = is_slow[static_cast<std::size_t>(i)]] {
            const auto mine = stream_target(target, i, o.streams);
            if (mjpeg)
                std::make_shared<mjpeg_client>(w, r, o, ep, hostport, mine, slow)->start();
            else
                std::make_shared<client>(w, r, o, ep, hostport, mine, slow)->start();
        });
    }
    // Wait for every connection to settle, then warm up.
    for (int i = 0; i < 300; ++i) {
        int settled = 0;
        for (auto& r : results) settled += (r.connected || r.failed);
        if (settled == o.clients) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup));

    // The measured window: counters are read at both edges.
    std::vector<std::uint64_t> f0(results.size()), b0(results.size()), g0(results.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        f0[i] = results[i].frames;
        b0[i] = results[i].bytes;
        g0[i] = results[i].gaps;
    }
    const double cpu0 = cpu_seconds();
    const auto server0 = o.server_pid ? process_usage(o.server_pid) : std::pair<double, long>{};
    const auto t0 = steady::now();
    measuring = true;
    std::this_thread::sleep_for(std::chrono::duration<double>(o.duration));
    measuring = false;
    const double seconds = std::chrono::duration<double>(steady::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    const auto server1 = o.server_pid ? process_usage(o.server_pid) : std::pair<double, long>{};

    std::uint64_t total_frames = 0, total_gaps = 0;
    for (auto& r : results) {
        total_frames += r.frames;
        total_gaps += r.gaps;
    }
    std::vector<double> fast_fps, slow_fps;
    std::uint64_t bytes = 0, gaps = 0, slow_gaps = 0, total_delivered = 0;
    int connected = 0, failed = 0, framed = 0;
    std::string first_error;
    for (std::size_t i = 0; i < results.size(); ++i) {
        auto& r = results[i];
        if (r.failed) {
            ++failed;
            if (first_error.empty()) first_error = r.error;
            continue;
        }
        if (!r.connected) continue;
        ++connected;
        framed += r.framed;
        const double fps = static_cast<double>(r.frames - f0[i]) / seconds;
        (is_slow[i] ? slow_fps : fast_fps).push_back(fps);
        bytes += r.bytes - b0[i];
        total_delivered += r.frames - f0[i];
        (is_slow[i] ? slow_gaps : gaps) += r.gaps - g0[i];
    }
    for (auto& w : workers) w->ioc.stop();
    for (auto& w : workers) w->thread.join();
    latency_histogram latency, slow_latency, lag{60'000'000, 100};
    for (auto& w : workers) {
        latency.merge(w->latency);
        slow_latency.merge(w->slow_latency);
        lag.merge(w->lag);
    }

    using wscam::bench::percentile;
    const double lag_p99_ms = lag.percentile(0.99) / 1000.0;
    const bool behind = lag_p99_ms > 50 || cpu / seconds > 0.95 * o.threads;
    nlohmann::json j = {
        {"url", o.url}, {"clients", o.clients}, {"connected", connected}, {"connect_failures", failed},
        {"wscam_v1", framed}, {"seconds", seconds},
        {"fps", {{"min", percentile(fast_fps, 0)}, {"p1", percentile(fast_fps, 0.01)}, {"p5", percentile(fast_fps, 0.05)},
                 {"median", percentile(fast_fps, 0.5)}}},
        {"streams", o.streams}, {"latency_from", o.stamp ? "camera send stamp" : "capture time"},
        {"latency_ms", {{"p50", latency.percentile(0.5) / 1000.0}, {"p99", latency.percentile(0.99) / 1000.0}, {"max", latency.max() / 1000.0}}},
        {"frames_skipped", gaps}, {"bytes_per_second", static_cast<double>(bytes) / seconds},
        {"totals", {{"frames", total_frames}, {"frames_skipped", total_gaps}}},  // whole run, for cross-checks
        {"bench", {{"cpu_cores", cpu / seconds}, {"loop_lag_p99_ms", lag_p99_ms}, {"loop_lag_max_ms", lag.max() / 1000.0}, {"fell_behind", behind}}},
    };
    if (!slow_fps.empty())
        j["slow"] = {{"clients", slow_fps.size()}, {"rate_bps", o.slow_rate}, {"fps_median", percentile(slow_fps, 0.5)},
                     {"latency_ms", {{"p50", slow_latency.percentile(0.5) / 1000.0}, {"p99", slow_latency.percentile(0.99) / 1000.0},
                                     {"max", slow_latency.max() / 1000.0}}},
                     {"frames_skipped", slow_gaps}};
    if (!first_error.empty()) j["first_error"] = first_error;
    const double server_cpu = server1.first - server0.first;
    if (o.server_pid)
        j["server"] = {{"pid", o.server_pid}, {"cpu_cores", server_cpu / seconds},
                       {"cpu_seconds_per_gb", bytes ? server_cpu / (static_cast<double>(bytes) / 1e9) : 0.0},
                       {"threads", process_threads(o.server_pid)},
                       {"frames_delivered", total_delivered},
                       {"cpu_us_per_delivered_frame", total_delivered ? server_cpu * 1e6 / static_cast<double>(total_delivered) : 0.0},
                       {"rss_kib", server1.second}, {"rss_kib_per_client", connected ? static_cast<double>(server1.second) / connected : 0.0}};

    std::printf("wscam-bench %s: %d clients (%d connected, %d failed, %d wscam.v1), %.1f s measured\n", o.url.c_str(), o.clients,
                connected, failed, framed, seconds);
    std::printf("  fps per client     min %.1f  p1 %.1f  p5 %.1f  median %.1f\n", percentile(fast_fps, 0),
                percentile(fast_fps, 0.01), percentile(fast_fps, 0.05), percentile(fast_fps, 0.5));
    std::printf("  latency%s p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", o.stamp ? " (sent)    " : "           ",
                latency.percentile(0.5) / 1000.0, latency.percentile(0.99) / 1000.0, latency.max() / 1000.0);
    std::printf("  frames skipped     %llu\n", static_cast<unsigned long long>(gaps));
    std::printf("  throughput         %.1f MB/s\n", static_cast<double>(bytes) / seconds / 1e6);
    if (!slow_fps.empty())
        std::printf("  slow viewers       %zu at %.2f Mbit/s: fps %.1f, latency p50 %.1f ms p99 %.1f ms, skipped %llu\n", slow_fps.size(),
                    o.slow_rate / 1e6, percentile(slow_fps, 0.5), slow_latency.percentile(0.5) / 1000.0,
                    slow_latency.percentile(0.99) / 1000.0, static_cast<unsigned long long>(slow_gaps));
    if (o.server_pid)
        std::printf("  server             %.2f cores, %.3f cpu-s per GB, %.1f cpu-us per delivered frame, RSS %.1f MiB "
                    "(%.1f KiB per client), %ld threads\n",
                    server_cpu / seconds, bytes ? server_cpu / (static_cast<double>(bytes) / 1e9) : 0.0,
                    total_delivered ? server_cpu * 1e6 / static_cast<double>(total_delivered) : 0.0, server1.second / 1024.0,
                    connected ? static_cast<double>(server1.second) / connected : 0.0, process_threads(o.server_pid));
    std::printf("  load generator     %.2f cores, event-loop lag p99 %.1f ms%s\n", cpu / seconds, lag_p99_ms,
                behind ? "  ** FELL BEHIND: these numbers measure wscam-bench, not the server **" : "");
    if (!first_error.empty()) std::printf("  first failure      %s\n", first_error.c_str());
    if (!o.json_path.empty()) {
        if (o.json_path == "-") {
            std::printf("%s\n", j.dump(2).c_str());
        } else {
            std::ofstream(o.json_path) << j.dump(2) << "\n";
        }
    }
    std::fflush(stdout);
    // Connections are not closed one by one: the process exit drops them all at once.
    std::_Exit(failed == o.clients ? 1 : 0);
}
