#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "server/beast.hpp"

namespace wscam {

/**
 * What every viewer's socket gets (WebSocket and MJPEG alike): TCP_NOTSENT_LOWAT, so that a
 * slow viewer's backlog stays in its frame delivery (latest wins), not in the kernel (0: no limit).
 */
void limit_unsent(tcp::socket& socket, std::size_t lowat);

/**
 * `--write-timeout` for any viewer: why one whose write began at `started` and is still in
 * flight at `now` is cut off, or nothing (a limit of 0 never cuts).
 */
std::optional<std::string> write_stall(std::chrono::steady_clock::time_point started,
                                       std::chrono::steady_clock::time_point now, std::chrono::seconds limit);

/**
 * The write rhythm of one viewer's connection, shared by WebSocket viewers and MJPEG readers:
 * one write in flight (Beast's rule, and the reason a slow viewer skips pictures), when it
 * began (for `--write-timeout`), and, after a picture, a wait until the kernel's unsent bytes
 * drop below TCP_NOTSENT_LOWAT before the next picture is chosen, so that a slow reader's
 * backlog is one pending picture in its delivery, not seconds of video in a socket buffer.
 *
 * On the connection's thread.
 */
class write_pump {
public:
    using time_point = std::chrono::steady_clock::time_point;

    bool busy() const { return writing_; }
    void begin(time_point now = std::chrono::steady_clock::now()) {
        writing_ = true;
        started_ = now;
    }
    /** The write in flight has run longer than `limit`: why to cut the reader off; else nothing. */
    std::optional<std::string> stalled(time_point now, std::chrono::seconds limit) const {
        if (!writing_) return std::nullopt;
        return write_stall(started_, now, limit);
    }
    /**
     * A picture is in the kernel: `next(error_code)` runs once the socket may take the next one
     * (at once without a low-water mark). The pump stays busy until `end`.
     */
    template <class Handler>
    void after_picture(tcp::socket& socket, std::size_t lowat, Handler&& next) {
        if (!lowat) return next(beast::error_code{});
        socket.async_wait(tcp::socket::wait_write, std::forward<Handler>(next));
    }
    void end() { writing_ = false; }

private:
    bool writing_ = false;
    time_point started_;
};

}  // namespace wscam
