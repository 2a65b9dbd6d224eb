#pragma once

#include <filesystem>
#include <memory>
#include <thread>

#include "core/frame_hub.hpp"
#include "core/source.hpp"
#include "sources/source_options.hpp"

namespace wscam {

class frame_intake;

/**
 * `file:DIR` (every .jpg/.jpeg in name order) or `file:CLIP.mjpeg` (concatenated JPEGs),
 * played at `fps`, looping unless `loop=0`. Plays only while someone watches.
 */
class file_source : public source {
public:
    file_source(std::shared_ptr<frame_hub> hub, std::filesystem::path path, intake_options options);
    ~file_source() override;

    void start() override;
    void stop() override;
    std::string describe() const override;

private:
    void run(std::stop_token stop);
    /** One pass over the files; returns how many frames were offered, or -1 when stopped. */
    long play_directory(std::stop_token stop, frame_intake& intake, class frame_pacer& pacer);
    long play_clip(std::stop_token stop, frame_intake& intake, class frame_pacer& pacer);
    bool wait_turn(std::stop_token stop, class frame_pacer& pacer);

    std::shared_ptr<frame_hub> hub_;
    std::filesystem::path path_;
    intake_options options_;
    std::jthread thread_;
};

}  // namespace wscam
