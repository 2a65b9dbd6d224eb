#pragma once

#include <memory>
#include <thread>

#include "core/frame_hub.hpp"
#include "core/frame_size.hpp"
#include "core/source.hpp"
#include "core/source_uri.hpp"

namespace wscam {

struct test_pattern_options {
    frame_size size{640, 480};
    double fps = 30;
    int quality = 80;
    int noise = 0;           // 0-100: per-pixel noise, to make frames as large as a real camera's
    bool always_on = false;  // keep rendering with no viewers
    bool operator==(const test_pattern_options&) const = default;
};

/** Reads `size`, `fps`, `quality`, `noise` from a `testsrc:` URI over `defaults`; throws std::invalid_argument. */
test_pattern_options test_pattern_options_from(const source_uri& uri, test_pattern_options defaults);

/**
 * The default camera: renders the test pattern and encodes it with TurboJPEG on its own
 * thread, at a steady rate, only while someone watches (unless always_on).
 */
class test_pattern_source : public source {
public:
    test_pattern_source(std::shared_ptr<frame_hub> hub, test_pattern_options options);
    ~test_pattern_source() override;

    void start() override;
    void stop() override;
    std::string describe() const override;

private:
    void run(std::stop_token stop);

    struct settings;

    std::shared_ptr<frame_hub> hub_;
    test_pattern_options options_;
    std::shared_ptr<settings> settings_;  // the live controls, shared with the hub
    std::jthread thread_;
};

}  // namespace wscam
