#pragma once

#include <spdlog/spdlog.h>

#include <exception>
#include <stop_token>
#include <string>

#include "core/backoff.hpp"
#include "core/stream.hpp"
#include "core/interruptible_sleep.hpp"
#include "sources/frame_intake.hpp"

namespace wscam {

/**
 * Runs a source thread's `body` until it returns or stop is requested. Nothing a camera (or
 * a bug in handling what it sent) does may end a stream for good or take the process down:
 * an exception that escapes the body takes the stream offline with its message, and the
 * body starts again after a backoff.
 */
template <class Body>
void run_restarting(stream& hub, std::stop_token stop, Body&& body) {
    backoff retry(std::chrono::milliseconds(500), std::chrono::seconds(10));
    while (!stop.stop_requested()) {
        try {
            body();
            return;
        } catch (const std::exception& e) {
            const auto delay = retry.next();
            report_status(hub, false, std::string("failed: ") + e.what() + "; restarting in " +
                                          std::to_string(delay.count()) + " ms");
            if (!sleep_for(stop, delay)) return;
        }
    }
}

}  // namespace wscam
