#include "sources/pipe_source.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/backoff.hpp"
#include "core/interruptible_sleep.hpp"
#include "sources/frame_intake.hpp"
#include "sources/mjpeg_stream_reader.hpp"
#include "sources/source_thread.hpp"

namespace wscam {

pipe_source::pipe_source(std::shared_ptr<frame_hub> hub, std::string path, intake_options options)
    : hub_(std::move(hub)), path_(std::move(path)), options_(options) {}

pipe_source::~pipe_source() { stop(); }

void pipe_source::start() {
    hub_->set_info({0, 0, 0, describe()});
    hub_->set_status(stream_status::down("waiting for data"));
    thread_ = std::jthread([this](std::stop_token st) { run_restarting(*hub_, st, [&] { run(st); }); });
}

void pipe_source::stop() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
}

std::string pipe_source::describe() const { return "pipe:" + path_; }

void pipe_source::run(std::stop_token stop) {
    const bool is_stdin = path_ == "-";
    backoff retry(options_.reconnect_initial, options_.reconnect_max);
    mjpeg_stream_reader reader(hub_, options_);

    while (!stop.stop_requested()) {
        // Non-blocking open: a FIFO without a writer must not hang the thread.
        const int fd = is_stdin ? STDIN_FILENO : ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            report_status(*hub_, false, "cannot open " + path_ + ": " + std::strerror(errno));
            if (!sleep_for(stop, retry.next())) break;
            continue;
        }
        reader.restart();
        auto frames_before = reader.accepted();
        bool eof = false;
        while (!stop.stop_requested() && !eof) {
            pollfd p{fd, POLLIN, 0};
            const int r = ::poll(&p, 1, 100);
            if (r < 0 && errno != EINTR) break;
            if (r > 0) eof = !reader.read_available(fd);  // writer closed (FIFO) or end of input
            if (reader.accepted() != frames_before) {
                frames_before = reader.accepted();
                retry.reset();
            } else if (reader.since_last_frame() > options_.stall_timeout && hub_->status().online) {
                report_status(*hub_, false, "no frames for " + std::to_string(options_.stall_timeout.count()) + " ms");
            }
        }
        if (!is_stdin) ::close(fd);
        if (stop.stop_requested()) break;
        if (is_stdin) {
            report_status(*hub_, false, "end of input");
            return;
        }
        report_status(*hub_, false, "writer closed " + path_);
        // A FIFO with no writer polls as hung up at once: wait before reopening.
        if (!sleep_for(stop, retry.next())) break;
    }
}

}  // namespace wscam
