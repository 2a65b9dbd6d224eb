#include "app/stream_set.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace wscam {
namespace {

using namespace std::chrono_literals;

stream_spec spec(const std::string& name, const std::string& uri, double fps = 30) {
    stream_spec s{name, uri, {}, "wscam.toml:" + std::to_string(name.size()), {}};
    s.defaults.pattern.fps = s.defaults.intake.fps = fps;
    s.defaults.pattern.size = {160, 120};
    return s;
}

TEST(plan_reload, sorts_streams_into_added_removed_restarted_and_unchanged) {
    const std::vector<stream_spec> running{spec("porch", "testsrc:"), spec("garage", "push:"), spec("desk", "testsrc:")};
    auto garage = spec("garage", "push:");
    garage.defaults.intake.publish_token = "new";
    auto desk = spec("desk", "testsrc:");
    desk.where = "other.toml:9";  // moved in the file: not a change
    const std::vector<stream_spec> wanted{spec("yard", "testsrc:"), garage, desk};
    const auto plan = plan_reload(running, wanted);
    EXPECT_EQ(plan.added, std::vector<std::string>{"yard"});
    EXPECT_EQ(plan.removed, std::vector<std::string>{"porch"});
    EXPECT_EQ(plan.restarted, std::vector<std::string>{"garage"}) << "a new publish token restarts the push source";
    EXPECT_EQ(plan.unchanged, std::vector<std::string>{"desk"});
    EXPECT_TRUE(plan.changes());
    EXPECT_FALSE(plan_reload(wanted, wanted).changes());
    EXPECT_EQ(plan_reload(running, {spec("porch", "testsrc:", 5)}).restarted, std::vector<std::string>{"porch"});
    EXPECT_EQ(plan_reload(running, {spec("porch", "testsrc:?noise=3")}).restarted, std::vector<std::string>{"porch"});
}

TEST(stream_set, check_names_where_and_which_stream_a_bad_source_is) {
    try {
        stream_set::check({spec("porch", "testsrc:"), spec("yard", "rtsp://cam/")});
        FAIL() << "rtsp: is not a source";
    } catch (const stream_error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("wscam.toml:4: stream yard: ", 0), 0u) << e.what();
        EXPECT_NE(std::string(e.what()).find("not supported"), std::string::npos) << e.what();
    }
    EXPECT_EQ(stream_set::check({spec("porch", "push:")}), std::vector<std::string>{"push:"});
}

/** A viewer: counts frames and statuses, remembers whether it was told the stream is gone. */
struct watcher : frame_sink {
    std::mutex mutex;
    std::atomic<int> frames{0};
    std::vector<std::string> statuses, removals;
    void on_frame(frame_ptr) override { ++frames; }
    void on_status(const stream_status& s) override {
        std::lock_guard lock(mutex);
        statuses.push_back(s.online ? "online" : s.reason);
    }
    void on_removed(const std::string& why) override {
        std::lock_guard lock(mutex);
        removals.push_back(why);
    }
    bool frames_within(int more, std::chrono::milliseconds limit) {
        const int target = frames + more;
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (frames < target && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
        return frames >= target;
    }
};

TEST(stream_set, a_reload_restarts_only_what_changed_and_closes_only_what_was_removed) {
    auto registry = std::make_shared<stream_registry>();
    std::vector<std::pair<std::string, std::string>> removed;
    const stream_set::remover remove = [&](const std::string& name, const std::string& why) {
        removed.emplace_back(name, why);
        if (auto hub = registry->take(name)) hub->remove(why);
    };
    stream_set streams(registry);
    auto plan = streams.apply({spec("porch", "testsrc:"), spec("garage", "testsrc:"), spec("desk", "testsrc:")}, remove);
    EXPECT_EQ(plan.added.size(), 3u);
    auto porch = registry->find("porch");
    auto garage = registry->find("garage");
    auto desk = registry->find("desk");
    ASSERT_TRUE(porch && garage && desk);
    auto on_porch = std::make_shared<watcher>(), on_garage = std::make_shared<watcher>(),
         on_desk = std::make_shared<watcher>();
    porch->subscribe(on_porch);
    garage->subscribe(on_garage);
    desk->subscribe(on_desk);
    ASSERT_TRUE(on_porch->frames_within(3, 5s));
    ASSERT_TRUE(on_garage->frames_within(3, 5s));
    ASSERT_TRUE(on_desk->frames_within(3, 5s));
    const auto porch_statuses = [&] {
        std::lock_guard lock(on_porch->mutex);
        return on_porch->statuses.size();
    }();

    // porch unchanged, garage at another rate, desk gone, yard new.
    plan = streams.apply({spec("porch", "testsrc:"), spec("garage", "testsrc:", 10), spec("yard", "testsrc:")}, remove);
    EXPECT_EQ(plan.unchanged, std::vector<std::string>{"porch"});
    EXPECT_EQ(plan.restarted, std::vector<std::string>{"garage"});
    EXPECT_EQ(plan.removed, std::vector<std::string>{"desk"});
    EXPECT_EQ(plan.added, std::vector<std::string>{"yard"});

    EXPECT_EQ(registry->find("porch"), porch);
    EXPECT_EQ(registry->find("garage"), garage) << "a restart keeps the stream, so its viewers stay";
    EXPECT_EQ(registry->find("desk"), nullptr);
    ASSERT_NE(registry->find("yard"), nullptr);
    ASSERT_EQ(removed.size(), 1u);
    EXPECT_EQ(removed[0].second, "stream 'desk' was removed from the configuration");
    {
        std::lock_guard lock(on_desk->mutex);
        EXPECT_EQ(on_desk->removals, std::vector<std::string>{removed[0].second});
    }
    {
        std::lock_guard lock(on_garage->mutex);
        EXPECT_TRUE(on_garage->removals.empty());
        EXPECT_NE(std::find(on_garage->statuses.begin(), on_garage->statuses.end(), "restarting: its configuration changed"),
                  on_garage->statuses.end());
    }
    EXPECT_TRUE(on_garage->frames_within(3, 5s)) << "the restarted source feeds the same viewers";
    EXPECT_TRUE(on_porch->frames_within(3, 5s));
    {
        std::lock_guard lock(on_porch->mutex);
        EXPECT_EQ(on_porch->statuses.size(), porch_statuses) << "an untouched stream's viewers notice nothing";
        EXPECT_TRUE(on_porch->removals.empty());
    }
    const int desk_frames = on_desk->frames;
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(on_desk->frames, desk_frames) << "the removed stream's source stopped";

    // A stream whose source cannot be built is not left half-added.
    EXPECT_THROW(streams.apply({spec("porch", "testsrc:"), spec("bad", "testsrc:?nosuch=1")}, remove), stream_error);
    EXPECT_EQ(registry->find("bad"), nullptr);
    streams.stop_all();
}

}  // namespace
}  // namespace wscam
