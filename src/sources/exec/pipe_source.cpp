#include "sources/exec/pipe_source.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/backoff.hpp"
#include "sources/coroutine_body.hpp"
#include "sources/exec/mjpeg_stream_reader.hpp"

namespace wscam {
namespace {

namespace net = boost::asio;
using net::awaitable;
using clock = std::chrono::steady_clock;

/** Drains the pipe into the stream, whether anyone watches or not; reopens a FIFO whose writer left. */
class pipe_body : public coroutine_source::body, public std::enable_shared_from_this<pipe_body> {
public:
    pipe_body(std::shared_ptr<stream> h, std::string p, intake_options o, const io_context_picker& io)
        : body(std::move(h), io, on_demand::no, cancelled_by::interrupt), path(std::move(p)), options(o),
          reader(hub, options), stall_timer(loop.context()) {}

    std::string describe() const override { return "pipe:" + path; }

private:
    void starting() override {
        hub->set_info({0, 0, 0, describe()});
        hub->set_status(stream_status::down("waiting for data"));
    }

    /** Marks the stream offline when no frame came for stall_timeout; wakes once per timeout, not per tick. */
    awaitable<void> watch_stall(std::uint64_t run) {
        while (!stopping && run == runs) {
            const auto stall = std::chrono::duration_cast<clock::duration>(options.stall_timeout);
            stall_timer.expires_after(stall - std::min(reader.since_last_frame(), stall) + std::chrono::milliseconds(1));
            boost::system::error_code ec;
            co_await stall_timer.async_wait(net::redirect_error(net::use_awaitable, ec));
            if (ec) co_return;
            if (reader.since_last_frame() > options.stall_timeout && hub->status().online)
                report_status(*hub, false, "no frames for " + std::to_string(options.stall_timeout.count()) + " ms");
        }
    }

    /** Reads `fd` until its writer closes it (or stop). */
    awaitable<void> read_until_end(int fd, backoff& retry) {
        auto ex = co_await net::this_coro::executor;
        net::posix::stream_descriptor in(ex);
        boost::system::error_code ec;
        in.assign(fd, ec);  // a regular file cannot be waited for (it is always readable): read on
        const bool pollable = !ec;
        descriptor = pollable ? &in : nullptr;
        auto frames_before = reader.accepted();
        net::co_spawn(ex, [self = shared_from_this(), run = ++runs] { return self->watch_stall(run); }, net::detached);
        while (!stopping) {
            if (pollable) {
                co_await in.async_wait(net::posix::stream_descriptor::wait_read, net::redirect_error(net::use_awaitable, ec));
                if (ec) break;
            } else {
                co_await net::post(ex, net::use_awaitable);  // let the thread's other work in between reads
            }
            if (!reader.read_available(fd)) break;  // writer closed (FIFO) or end of input
            if (reader.accepted() != frames_before) {
                frames_before = reader.accepted();
                retry.reset();
            }
        }
        ++runs;  // the watch of this input ends
        stall_timer.cancel();
        descriptor = nullptr;
        if (pollable) in.release();  // the caller closes it
    }

    awaitable<void> run() override {
        const bool is_stdin = path == "-";
        backoff retry(options.reconnect_initial, options.reconnect_max);
        auto wait = [&](std::chrono::milliseconds delay) { return pause_until(clock::now() + delay); };
        while (!stopping) {
            // Non-blocking open: a FIFO without a writer must not hang the thread.
            const int fd = is_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                report_status(*hub, false, "cannot open " + path + ": " + std::strerror(errno));
                const bool ok = co_await wait(retry.next());  // not inside the condition: GCC 12 miscompiles that
                if (!ok) break;
                continue;
            }
            reader.restart();
            co_await read_until_end(fd, retry);
            if (!is_stdin) ::close(fd);
            if (stopping) break;
            if (is_stdin) {
                report_status(*hub, false, "end of input");
                co_return;
            }
            report_status(*hub, false, "writer closed " + path);
            // A FIFO with no writer polls as hung up at once: wait before reopening.
            const bool ok = co_await wait(retry.next());
            if (!ok) break;
        }
    }

    void interrupt() override {
        if (descriptor) descriptor->cancel();
        stall_timer.cancel();
    }

    std::string path;
    intake_options options;
    mjpeg_stream_reader reader;
    // On the loop's thread.
    net::steady_timer stall_timer;
    net::posix::stream_descriptor* descriptor = nullptr;
    std::uint64_t runs = 0;  // inputs read so far
};

}  // namespace

pipe_source::pipe_source(std::shared_ptr<stream> hub, std::string path, intake_options options,
                         const io_context_picker& io)
    : coroutine_source(std::make_shared<pipe_body>(std::move(hub), std::move(path), options, io)) {}

}  // namespace wscam
