#pragma once

#include <memory>
#include <string>

#include "core/stream.hpp"
#include "sources/coroutine_source.hpp"
#include "sources/io_contexts.hpp"
#include "sources/source_options.hpp"

namespace wscam {

/**
 * `pipe:-` (stdin) or `pipe:PATH` (a FIFO or a growing file): an MJPEG byte stream such as
 * `ffmpeg ... -f mjpeg -`, split into frames as they arrive. The pipe is always drained so
 * the producer never blocks; frames go out as fast as they come. A named pipe is reopened
 * when its writer goes away; stdin ends the source at EOF. Read on one of the server's I/O
 * contexts (`io`), or on a thread of its own without one.
 */
class pipe_source : public coroutine_source {
public:
    pipe_source(std::shared_ptr<stream> hub, std::string path, intake_options options,
                const io_context_picker& io = {});
};

}  // namespace wscam
