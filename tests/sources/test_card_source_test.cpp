#include "sources/test_card_source.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/stream.hpp"

namespace wscam {
namespace {

TEST(test_card_source, options_come_from_the_uri_over_defaults) {
    test_card_options defaults;
    defaults.fps = 12;
    auto o = test_card_options_from(*source_uri::parse("testsrc:?size=QVGA&quality=50"), defaults);
    EXPECT_EQ(o.size, (frame_size{320, 240}));
    EXPECT_EQ(o.quality, 50);
    EXPECT_EQ(o.fps, 12);
}

TEST(test_card_source, bad_parameters_are_refused_with_the_reason) {
    auto error_of = [](const char* uri) {
        try {
            test_card_options_from(*source_uri::parse(uri), {});
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(error_of("testsrc:?fps=0").find("fps=0"), std::string::npos);
    EXPECT_NE(error_of("testsrc:?quality=101").find("quality"), std::string::npos);
    EXPECT_NE(error_of("testsrc:?size=huge").find("WIDTHxHEIGHT"), std::string::npos);
    EXPECT_NE(error_of("testsrc:?colour=red").find("unknown parameter 'colour'"), std::string::npos);
}

struct counting_sink : frame_sink {
    std::atomic<int> frames{0};
    void on_frame(frame_ptr) override { ++frames; }
    void on_status(const stream_status&) override {}
};

TEST(test_card_source, renders_only_while_someone_watches) {
    auto hub = std::make_shared<stream>("t");
    test_card_options o;
    o.size = {64, 48};
    o.fps = 200;
    test_card_source source(hub, o);
    source.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(hub->counters().frames_published, 0u) << "no viewer, no frames";
    auto sink = std::make_shared<counting_sink>();
    hub->subscribe(sink);
    for (int i = 0; i < 500 && sink->frames < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(sink->frames, 5);
    EXPECT_TRUE(hub->status().online);
    source.stop();
    EXPECT_FALSE(hub->status().online);
}

}  // namespace
}  // namespace wscam
