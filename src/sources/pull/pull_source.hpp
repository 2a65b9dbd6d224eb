#pragma once

#include <memory>
#include <string>

#include "core/stream.hpp"
#include "sources/coroutine_source.hpp"
#include "sources/io_contexts.hpp"
#include "sources/network_url.hpp"
#include "sources/source_options.hpp"

namespace wscam {

/**
 * A camera wscam connects out to: `http(s)://` (multipart MJPEG, or a single JPEG polled at
 * fps) or `ws(s)://` (one JPEG per binary message, like the ESP32 tutorial's sketch).
 *
 * Runs on one of the server's I/O contexts (`io`), or on a thread of its own without one. Connects only while someone watches (unless always_on) and lets
 * go 5 s after the last viewer left. A failure or a stall (no valid frame for
 * stall_timeout) puts the stream offline with the reason and retries with exponential
 * backoff and jitter, forever; viewers stay connected throughout.
 */
class pull_source : public coroutine_source {
public:
    pull_source(std::shared_ptr<stream> hub, network_url url, intake_options options, const io_context_picker& io = {});
};

}  // namespace wscam
