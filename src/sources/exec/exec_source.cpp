#include "sources/exec/exec_source.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <optional>

#include "core/backoff.hpp"
#include "core/redaction.hpp"
#include "sources/coroutine_body.hpp"
#include "sources/exec/child_process.hpp"
#include "sources/exec/mjpeg_stream_reader.hpp"
#include "sources/exec/stderr_lines.hpp"

namespace wscam {
namespace {

namespace net = boost::asio;
using namespace net::experimental::awaitable_operators;
using net::awaitable;
using clock = std::chrono::steady_clock;

// How long a program may take to end after SIGTERM before its group gets SIGKILL.
constexpr auto terminate_grace = std::chrono::seconds(2);
// While a program runs: how often its exit, a stall and the viewers are checked.
constexpr auto check_every = std::chrono::milliseconds(100);

/** Waits on the loop's timer; false when it was cancelled (stop). */
awaitable<bool> sleep_until(net::steady_timer& timer, clock::time_point when) {
    timer.expires_at(when);
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
    co_return !ec;
}

/** One run of the program: its pipes, the checks, and how it ended. */
struct program_run {
    program_run(net::any_io_executor ex, child_process& c)
        : child(c), out(ex, c.stdout_fd()), err(ex, c.stderr_fd()), tick(ex) {}
    ~program_run() {
        // The descriptors belong to child_process, which closes them.
        out.release();
        if (err.is_open()) err.release();
    }

    /** The first reason wins; every wait of this run ends. */
    void end(std::string reason, bool is_failure = true) {
        if (why || idle) return;
        if (is_failure)
            why = std::move(reason);
        else
            idle = true;
        out.cancel();
        if (err.is_open()) err.cancel();
        tick.cancel();
    }

    child_process& child;
    net::posix::stream_descriptor out, err;
    net::steady_timer tick;
    std::optional<std::string> why;  // a failure: the stream goes offline and the program restarts
    bool idle = false;               // nobody watched for idle_grace
    bool output_closed = false;
};

/** Runs the program while someone watches, reads its frames and its stderr, and ends it. */
class exec_body : public coroutine_source::body {
public:
    exec_body(std::shared_ptr<stream> h, std::string c, std::vector<std::string> a, intake_options o,
              const io_context_picker& io)
        // stop() ends the waits itself (interrupt): a program must still be ended when it comes.
        : body(std::move(h), io, on_demand::yes, cancelled_by::interrupt), command(std::move(c)), argv(std::move(a)),
          options(o), reader(hub, options) {}

    std::string describe() const override { return "exec:" + redact_command_line(command); }

private:
    void starting() override { announce_start("starting", options.always_on, " (runs when someone watches)"); }

    awaitable<void> read_output(program_run& run) {
        for (;;) {
            boost::system::error_code ec;
            co_await run.out.async_wait(net::posix::stream_descriptor::wait_read, net::redirect_error(net::use_awaitable, ec));
            if (ec || run.why || run.idle) co_return;
            if (!reader.read_available(run.child.stdout_fd())) {
                run.output_closed = true;
                run.end("");  // the reason once it has ended (below)
                co_return;
            }
        }
    }

    /** What the program writes to stderr goes to the log, at most 64 KiB per wake so that a chatty program cannot hold up its frames. */
    awaitable<void> read_errors(program_run& run, stderr_lines& log) {
        char buf[4096];
        while (run.err.is_open()) {
            boost::system::error_code ec;
            co_await run.err.async_wait(net::posix::stream_descriptor::wait_read, net::redirect_error(net::use_awaitable, ec));
            if (ec) co_return;
            if (!drain_errors(run, log, buf, sizeof buf)) co_return;
        }
    }

    /** False once the program closed its stderr (ours is then closed too). */
    static bool drain_errors(program_run& run, stderr_lines& log, char* buf, std::size_t size) {
        for (int i = 0; i < 16; ++i) {
            const auto n = ::read(run.child.stderr_fd(), buf, size);
            if (n > 0) {
                log.feed({buf, static_cast<std::size_t>(n)}, clock::now());
                if (static_cast<std::size_t>(n) < size) return true;
                continue;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                run.err.release();
                run.child.close_stderr();
                return false;
            }
            return true;
        }
        return true;
    }

    awaitable<void> watch(program_run& run, stderr_lines& log) {
        const auto& program = argv.front();
        auto last_watched = clock::now();
        while (!run.why && !run.idle) {
            const bool ok = co_await sleep_until(run.tick, clock::now() + check_every);  // not inside the condition: GCC 12 miscompiles that
            if (!ok) co_return;
            const auto now = clock::now();
            log.tick(now);
            if (run.child.exited()) {
                // Its children may still hold stdout: the program's own end is what counts.
                run.end("exec: '" + program + "' " + child_process::describe_status(*run.child.exit_status()));
            } else if (reader.since_last_frame() > options.stall_timeout) {
                run.end(fmt::format("exec: no frame for {:g} s from '{}'", options.stall_timeout.count() / 1000.0, program));
            } else if (options.always_on || hub->viewer_count() > 0) {
                last_watched = now;
            } else if (now - last_watched > options.idle_grace) {
                run.end("", false);
            }
        }
    }

    /** SIGTERM to the group, SIGKILL after the grace period, reaped; the thread is never blocked. */
    awaitable<void> end_program(child_process& child) {
        net::steady_timer timer(co_await net::this_coro::executor);
        auto gone_by = [&](clock::time_point deadline) -> awaitable<bool> {
            while (!child.group_gone()) {
                if (clock::now() >= deadline) co_return false;
                timer.expires_after(std::chrono::milliseconds(10));
                boost::system::error_code ec;
                co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
            }
            co_return true;
        };
        child.signal_group(SIGTERM);
        const bool gone = co_await gone_by(clock::now() + terminate_grace);
        if (!gone) {
            child.signal_group(SIGKILL);
            co_await gone_by(clock::now() + std::chrono::seconds(2));
        }
        child.finish_terminate();
    }

    /** After the program closed its stdout: why, once it has ended (it usually has, a moment later). */
    awaitable<std::string> why_output_ended(child_process& child) {
        const auto& program = argv.front();
        net::steady_timer timer(co_await net::this_coro::executor);
        const auto deadline = clock::now() + std::chrono::milliseconds(500);
        while (!child.exited() && clock::now() < deadline && !stopping) {
            timer.expires_after(std::chrono::milliseconds(10));
            boost::system::error_code ec;
            co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        }
        if (auto s = child.exit_status()) co_return "exec: '" + program + "' " + child_process::describe_status(*s);
        co_return "exec: '" + program + "' closed its output";
    }

    /**
     * Runs the program once, until it ends, stalls, nobody watches or stop is requested.
     * After a failure (reported at once) returns when to start it again; else nullopt.
     */
    awaitable<std::optional<clock::time_point>> run_once(backoff& retry) {
        const auto& name = hub->name();
        const auto& program = argv.front();
        const auto accepted_before = reader.accepted();
        // Viewers hear at once why the picture stopped, before the program has been ended.
        auto failed = [&](const std::string& why) {
            // A run that delivered frames was healthy: start the delays over.
            if (reader.accepted() != accepted_before) retry.reset();
            const auto delay = retry.next();
            report_status(*hub, false, why + "; restarting in " + std::to_string(delay.count()) + " ms");
            return clock::now() + delay;
        };
        std::string error;
        auto child = child_process::spawn(argv, &error);
        if (!child) co_return failed("exec: " + error);
        spdlog::info("stream={} exec: started '{}' (pid {})", name, program, child->pid());
        // ffmpeg, for one, repeats its input URL in errors: credentials stay out of the log.
        stderr_lines log([&name](const std::string& line) {
            spdlog::info("stream={} exec: {}", name, redact_command_line(line));
        });
        reader.restart();

        std::optional<clock::time_point> restart_at;
        bool idle = false;
        {
            program_run run(co_await net::this_coro::executor, *child);
            current = &run;
            co_await (read_output(run) && read_errors(run, log) && watch(run, log));
            current = nullptr;
            if (run.output_closed && !stopping) run.why = co_await why_output_ended(*child);
            if (run.why && !stopping) restart_at = failed(*run.why);
            // Its last words (an error message just before it exited) still belong in the log.
            char buf[4096];
            if (run.err.is_open()) drain_errors(run, log, buf, sizeof buf);
            idle = run.idle;
        }
        co_await end_program(*child);
        // Said once the whole group is gone and reaped, not when it was asked to end.
        if (idle) spdlog::info("stream={} source idle: no viewers, '{}' ended", name, program);
        log.finish(clock::now());
        co_return restart_at;
    }

    awaitable<void> run() override {
        backoff retry(options.reconnect_initial, options.reconnect_max);
        while (!stopping) {
            co_await demand->wait(stopping, options.always_on);
            if (stopping) break;
            const auto restart_at = co_await run_once(retry);
            if (restart_at && !stopping) co_await pause_until(*restart_at);
        }
    }

    void interrupt() override {
        if (current) current->end("stopped", false);
    }

    std::string command;
    std::vector<std::string> argv;
    intake_options options;
    mjpeg_stream_reader reader;
    program_run* current = nullptr;  // on the loop's thread: what stop() must end
};

}  // namespace

exec_source::exec_source(std::shared_ptr<stream> hub, std::string command, std::vector<std::string> argv,
                         intake_options options, const io_context_picker& io)
    : coroutine_source(std::make_shared<exec_body>(std::move(hub), std::move(command), std::move(argv), options, io)) {}

}  // namespace wscam
