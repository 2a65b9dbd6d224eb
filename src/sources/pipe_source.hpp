#pragma once

#include <memory>
#include <string>
#include <thread>

#include "core/frame_hub.hpp"
#include "core/source.hpp"
#include "sources/source_options.hpp"

namespace wscam {

/**
 * `pipe:-` (stdin) or `pipe:PATH` (a FIFO or a growing file): an MJPEG byte stream such as
 * `ffmpeg ... -f mjpeg -`, split into frames as they arrive. The pipe is always drained so
 * the producer never blocks; frames go out as fast as they come. A named pipe is reopened
 * when its writer goes away; stdin ends the source at EOF.
 */
class pipe_source : public source {
public:
    pipe_source(std::shared_ptr<frame_hub> hub, std::string path, intake_options options);
    ~pipe_source() override;

    void start() override;
    void stop() override;
    std::string describe() const override;

private:
    void run(std::stop_token stop);

    std::shared_ptr<frame_hub> hub_;
    std::string path_;
    intake_options options_;
    std::jthread thread_;
};

}  // namespace wscam
