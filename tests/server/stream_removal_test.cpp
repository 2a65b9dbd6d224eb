// A viewer that found a stream just before a config reload removed it must not leave entries
// for that stream behind (a viewer group, an H.264 rendition): they would keep the removed
// stream's hub and newest frame for as long as the server runs.
#include <gtest/gtest.h>

#include "server/viewer_group.hpp"
#include "transcode/h264_streams.hpp"

namespace wscam {
namespace {

TEST(stream_removal, a_viewer_joining_during_a_removal_leaves_no_viewer_group_behind) {
    net::io_context ioc;
    viewer_group_registry groups;
    auto gone = std::make_shared<stream>("gone");
    auto early = groups.group_for(gone->hub(), ioc);  // a viewer that joined before
    EXPECT_EQ(groups.group_for(gone->hub(), ioc), early) << "one group per stream and thread";
    // The reload: server::remove_stream removes the stream, then forgets its hub's groups.
    gone->remove("stream 'gone' was removed from the configuration");
    groups.forget(gone->hub().get());
    EXPECT_EQ(groups.size(), 0u);
    // A viewer that found the stream before the removal accepts its WebSocket only now.
    auto late = groups.group_for(gone->hub(), ioc);
    ASSERT_NE(late, nullptr) << "it gets a group, which tells it of the removal";
    EXPECT_EQ(groups.size(), 0u) << "but no entry that nothing will forget";
}

TEST(stream_removal, an_h264_viewer_joining_during_a_removal_leaves_no_rendition_behind) {
    h264_streams h264(h264_settings{}, 4);
    auto hub = std::make_shared<stream>("gone");
    auto early = h264.for_stream(hub);
    EXPECT_EQ(h264.size(), 1u);
    hub->remove("stream 'gone' was removed from the configuration");
    const auto outputs = h264.forget(hub.get());
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_FALSE(outputs[0]->removed().empty()) << "its output is removed too: no group is kept for it either";
    auto late = h264.for_stream(hub);
    EXPECT_EQ(h264.size(), 0u);
    std::string why;
    EXPECT_FALSE(late->start(&why)) << "it never encodes";
    EXPECT_EQ(why, "the stream is being removed");
    EXPECT_FALSE(late->output()->removed().empty());
    EXPECT_EQ(h264.running(), 0u) << "and holds no encoder slot";
}

}  // namespace
}  // namespace wscam
