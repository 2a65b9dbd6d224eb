#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/stream.hpp"
#include "sources/coroutine_source.hpp"
#include "sources/io_contexts.hpp"
#include "sources/source_options.hpp"

namespace wscam {

/**
 * `exec:COMMAND ARG…`: any program that writes an MJPEG byte stream to its stdout is a camera
 * (`rpicam-vid -t 0 --codec mjpeg -o -`, `ffmpeg -i rtsp://… -f mjpeg -`). The command line
 * is split into words like a shell's (core/command_words), but no shell runs it.
 *
 * The program runs only while someone watches (unless always_on) and is ended idle_grace
 * (5 s) after the last viewer left, like a network camera. Its stderr goes to the log line by
 * line, rate-limited, URL credentials hidden. When it exits, closes its output or sends no
 * valid frame for stall_timeout, the stream goes offline with the reason and the program is
 * started again after a backoff, forever. Ending it means its whole process group: SIGTERM,
 * SIGKILL 2 s later, reaped (child_process), without blocking the thread.
 *
 * Its pipes are read on one of the server's I/O contexts (`io`), or on a thread of its own
 * without one: no thread per program.
 */
class exec_source : public coroutine_source {
public:
    /** `command` is what follows `exec:`; `argv` its words (split_command_words). */
    exec_source(std::shared_ptr<stream> hub, std::string command, std::vector<std::string> argv,
                intake_options options, const io_context_picker& io = {});
};

}  // namespace wscam
