#include "sources/exec_source.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <thread>

#include "core/backoff.hpp"
#include "core/command_words.hpp"
#include "core/interruptible_sleep.hpp"
#include "sources/child_process.hpp"
#include "sources/frame_intake.hpp"
#include "sources/mjpeg_stream_reader.hpp"
#include "sources/source_thread.hpp"
#include "sources/stderr_lines.hpp"

namespace wscam {
namespace {

using clock = std::chrono::steady_clock;

// How long a program may take to end after SIGTERM before its group gets SIGKILL.
constexpr auto terminate_grace = std::chrono::seconds(2);

/**
 * Hands what the program wrote to stderr to the log, at most 64 KiB at a time so that a
 * chatty program cannot hold up its frames; closes our end once the program closed its.
 */
void read_stderr(child_process& child, stderr_lines& log) {
    char buf[4096];
    for (int i = 0; i < 16; ++i) {
        const auto n = ::read(child.stderr_fd(), buf, sizeof buf);
        if (n > 0) {
            log.feed({buf, static_cast<std::size_t>(n)}, clock::now());
            if (static_cast<std::size_t>(n) < sizeof buf) return;
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) child.close_stderr();
        return;
    }
}

/** After the program closed its stdout: why, once it has ended (it usually has, a moment later). */
std::string why_output_ended(child_process& child, const std::string& program) {
    const auto deadline = clock::now() + std::chrono::milliseconds(500);
    while (!child.exited() && clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (auto s = child.exit_status()) return "exec: '" + program + "' " + child_process::describe_status(*s);
    return "exec: '" + program + "' closed its output";
}

}  // namespace

exec_source::exec_source(std::shared_ptr<frame_hub> hub, std::string command, std::vector<std::string> argv,
                         intake_options options)
    : hub_(std::move(hub)), command_(std::move(command)), argv_(std::move(argv)), options_(options) {}

exec_source::~exec_source() { stop(); }

void exec_source::start() {
    hub_->set_info({0, 0, 0, describe()});
    hub_->set_status(stream_status::down("starting"));
    spdlog::info("stream={} source starting: {}{}", hub_->name(), describe(),
                 options_.always_on ? "" : " (runs when someone watches)");
    thread_ = std::jthread([this](std::stop_token st) { run_restarting(*hub_, st, [&] { run(st); }); });
}

void exec_source::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

std::string exec_source::describe() const { return "exec:" + redact_command_line(command_); }

void exec_source::run(std::stop_token stop) {
    backoff retry(options_.reconnect_initial, options_.reconnect_max);
    mjpeg_stream_reader reader(hub_, options_);
    while (!stop.stop_requested()) {
        if (!options_.always_on && !hub_->wait_for_viewers(stop)) break;
        if (const auto restart_at = run_once(stop, reader, retry))
            if (!sleep_until(stop, *restart_at)) break;
    }
}

std::optional<clock::time_point> exec_source::run_once(std::stop_token stop, mjpeg_stream_reader& reader, backoff& retry) {
    const auto& name = hub_->name();
    const auto& program = argv_.front();
    const auto accepted_before = reader.accepted();
    // Viewers hear at once why the picture stopped, before the program has been ended.
    auto failed = [&](const std::string& why) {
        // A run that delivered frames was healthy: start the delays over.
        if (reader.accepted() != accepted_before) retry.reset();
        const auto delay = retry.next();
        report_status(*hub_, false, why + "; restarting in " + std::to_string(delay.count()) + " ms");
        return clock::now() + delay;
    };
    std::string error;
    auto child = child_process::spawn(argv_, &error);
    if (!child) return failed("exec: " + error);
    spdlog::info("stream={} exec: started '{}' (pid {})", name, program, child->pid());
    // ffmpeg, for one, repeats its input URL in errors: credentials stay out of the log.
    stderr_lines log([&name](const std::string& line) {
        spdlog::info("stream={} exec: {}", name, redact_command_line(line));
    });
    reader.restart();

    std::optional<clock::time_point> restart_at;
    bool idle = false;
    auto last_watched = clock::now();
    while (!restart_at && !idle && !stop.stop_requested()) {
        pollfd fds[2] = {{child->stdout_fd(), POLLIN, 0}, {child->stderr_fd(), POLLIN, 0}};
        const int r = ::poll(fds, 2, 100);
        if (r < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "poll");
        if (r > 0 && fds[1].revents) read_stderr(*child, log);
        if (r > 0 && fds[0].revents && !reader.read_available(child->stdout_fd())) {
            restart_at = failed(why_output_ended(*child, program));
            break;
        }
        const auto now = clock::now();
        log.tick(now);
        if (child->exited()) {
            // Its children may still hold stdout: the program's own end is what counts.
            restart_at = failed("exec: '" + program + "' " + child_process::describe_status(*child->exit_status()));
        } else if (reader.since_last_frame() > options_.stall_timeout) {
            restart_at = failed(fmt::format("exec: no frame for {:g} s from '{}'", options_.stall_timeout.count() / 1000.0, program));
        } else if (options_.always_on || hub_->viewer_count() > 0) {
            last_watched = now;
        } else {
            idle = now - last_watched > options_.idle_grace;
        }
    }
    child->terminate(terminate_grace);
    // Its last words (an error message just before it exited) still belong in the log.
    if (child->stderr_fd() >= 0) read_stderr(*child, log);
    log.finish(clock::now());
    if (idle) spdlog::info("stream={} source idle: no viewers, '{}' ended", name, program);
    return restart_at;
}

}  // namespace wscam
