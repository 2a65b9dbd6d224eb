#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/frame_hub.hpp"
#include "core/source.hpp"
#include "sources/source_options.hpp"

namespace wscam {

class backoff;
class mjpeg_stream_reader;

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
 * SIGKILL 2 s later, reaped (child_process).
 */
class exec_source : public source {
public:
    /** `command` is what follows `exec:`; `argv` its words (split_command_words). */
    exec_source(std::shared_ptr<frame_hub> hub, std::string command, std::vector<std::string> argv,
                intake_options options);
    ~exec_source() override;

    void start() override;
    void stop() override;
    std::string describe() const override;

private:
    void run(std::stop_token stop);
    /**
     * Runs the program once, until it ends, stalls, nobody watches or stop is requested.
     * After a failure (reported at once) returns when to start it again; else nullopt.
     */
    std::optional<std::chrono::steady_clock::time_point> run_once(std::stop_token stop, mjpeg_stream_reader& reader,
                                                                  backoff& retry);

    std::shared_ptr<frame_hub> hub_;
    std::string command_;
    std::vector<std::string> argv_;
    intake_options options_;
    std::jthread thread_;
};

}  // namespace wscam
