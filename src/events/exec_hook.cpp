#include "events/exec_hook.hpp"

#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <optional>

#include "core/text.hpp"
#include "events/viewer_notices.hpp"
#include "sources/exec/child_process.hpp"

namespace wscam::events {

struct exec_hook::running {
    child_process child;
    std::chrono::steady_clock::time_point deadline;
    std::string output;  // unread partial line
    int lines = 0;
    std::size_t read = 0;  // bytes of its output read: past 64 KiB no more (it blocks on a full pipe until its time is up)
};

exec_hook::exec_hook(std::vector<std::string> argv, std::chrono::milliseconds max_run)
    : argv_(std::move(argv)), max_run_(max_run), thread_([this](std::stop_token stop) { run(stop); }) {}

exec_hook::~exec_hook() {
    thread_.request_stop();
    wake_.notify_all();
}

void exec_hook::deliver(const notice& n) {
    std::lock_guard lock(mutex_);
    if (waiting_.size() >= max_waiting) {
        if (dropped_++ == 0) spdlog::warn("event exec {}: runs take too long, events are being dropped", sanitize_text(argv_.front()));
        return;
    }
    waiting_.push_back(event_message(n) + "\n");
    wake_.notify_one();
}

std::uint64_t exec_hook::runs() const {
    std::lock_guard lock(mutex_);
    return runs_;
}

std::uint64_t exec_hook::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

namespace {

/** The event's text as a file the program reads from its start: no pipe to keep fed. */
int stdin_of(const std::string& text) {
    const int fd = ::memfd_create("wscam-event", MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::lseek(fd, 0, SEEK_SET) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

constexpr std::size_t max_output = 64 * 1024;

/**
 * Reads what the program wrote (non-blocking), logging whole lines, the first 5 of a run. Past
 * 64 KiB of a run nothing more is read: a program that writes without end (`yes`) took 65 % of
 * a core here until its time was up; unread, it blocks on its full pipe instead.
 */
void drain(int fd, std::string& partial, int& lines, std::size_t& read, const std::string& program) {
    std::array<char, 4096> buf;
    ssize_t n;
    while (fd >= 0 && read < max_output && (n = ::read(fd, buf.data(), buf.size())) > 0) {
        read += static_cast<std::size_t>(n);
        partial.append(buf.data(), static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = partial.find('\n')) != std::string::npos) {
            if (lines++ < 5) spdlog::info("event exec {}: {}", program, sanitize_text(partial.substr(0, nl)));
            partial.erase(0, nl + 1);
        }
        if (partial.size() > 4096) partial.clear();  // a line that never ends is not kept
    }
}

}  // namespace

void exec_hook::run(std::stop_token stop) {
    const auto program = sanitize_text(argv_.front());
    std::vector<std::unique_ptr<running>> active;
    bool failing = false;
    while (true) {
        std::optional<std::string> next;
        {
            std::unique_lock lock(mutex_);
            if (stop.stop_requested() && waiting_.empty() && active.empty()) return;
            if (waiting_.empty() || active.size() >= max_running)
                wake_.wait_for(lock, stop, std::chrono::milliseconds(active.empty() ? 1000 : 20),
                               [&] { return !waiting_.empty() && active.size() < max_running; });
            if (!waiting_.empty() && active.size() < max_running) {
                next = std::move(waiting_.front());
                waiting_.pop_front();
            }
            if (stop.stop_requested()) waiting_.clear();  // at shutdown, only those running finish
        }
        if (next) {
            const int in = stdin_of(*next);
            std::string why;
            auto child = in >= 0 ? child_process::spawn(argv_, &why, in) : std::nullopt;
            if (in >= 0) ::close(in);
            if (!child) {
                if (!std::exchange(failing, true)) spdlog::error("event exec {}: {}", program, in >= 0 ? why : "cannot make its stdin");
            } else {
                failing = false;
                std::lock_guard lock(mutex_);
                ++runs_;
                active.push_back(std::make_unique<running>(running{std::move(*child), std::chrono::steady_clock::now() + max_run_, {}, 0, 0}));
            }
        }
        const auto now = std::chrono::steady_clock::now();
        for (auto it = active.begin(); it != active.end();) {
            auto& r = **it;
            drain(r.child.stdout_fd(), r.output, r.lines, r.read, program);
            drain(r.child.stderr_fd(), r.output, r.lines, r.read, program);
            if (r.child.exited()) {
                const int status = r.child.exit_status().value_or(0);
                if (status != 0) spdlog::warn("event exec {}: {}", program, child_process::describe_status(status));
                it = active.erase(it);
                continue;
            }
            if (now >= r.deadline || stop.stop_requested()) {
                spdlog::warn("event exec {}: still running after {} ms: ended", program, max_run_.count());
                r.child.terminate(std::chrono::seconds(2));
                it = active.erase(it);
                continue;
            }
            ++it;
        }
    }
}

}  // namespace wscam::events
