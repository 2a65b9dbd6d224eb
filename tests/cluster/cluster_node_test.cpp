// A whole cluster_node (its mailbox, its thread, its remote streams, its control relay) over a
// loopback_transport: the test plays the other nodes, message by message.
#include "cluster/cluster_node.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "cluster/loopback_transport.hpp"
#include "cluster/messages.hpp"
#include "cluster/subjects.hpp"
#include "../codec/jpeg_fixtures.hpp"
#include "protocol/publisher_message.hpp"

using namespace wscam;
using namespace wscam::cluster;

namespace {

struct counting_viewer : frame_sink {
    std::atomic<int> frames{0};
    std::atomic<std::uint64_t> last_sequence{0};
    void on_frame(frame_ptr f) override {
        ++frames;
        last_sequence = f->sequence();
    }
    void on_status(const stream_status&) override {}
};

struct brightness : controllable {
    std::atomic<double> value{0};
    std::vector<control_info> controls() const override { return {{"brightness", "Brightness", "int", -2, 2, 1, value, {}}}; }
    void set_control(const std::string&, double v, control_callback done) override {
        value = v;
        done(control_result::applied(v));
    }
};

std::vector<std::uint8_t> bytes(std::string_view text) { return {text.begin(), text.end()}; }
std::string text(const std::vector<std::uint8_t>& b) { return {b.begin(), b.end()}; }

/** A 16x16 JPEG behind a frame header numbered `sequence` (what an owner publishes). */
std::vector<std::uint8_t> owner_frame(std::uint64_t sequence) {
    static const auto jpeg = test::make_jpeg(16, 16);
    std::vector<std::uint8_t> out(32, 0);
    out[0] = 1;
    out[1] = 32;
    out[3] = 16;
    out[5] = 16;
    for (int i = 0; i < 8; ++i) out[8 + i] = static_cast<std::uint8_t>(sequence >> (56 - 8 * i));
    out.insert(out.end(), jpeg.begin(), jpeg.end());
    return out;
}

class node_over_loopback : public ::testing::Test {
protected:
    void SetUp() override {
        cam = registry->add("cam");
        cam->set_controllable(camera);
        node_options o;
        o.node = "self";
        o.make_transport = [this](transport::events) {
            auto t = std::make_unique<loopback_transport>();
            wire = t.get();
            return t;
        };
        node = std::make_unique<cluster_node>(o, registry);
        node->start();
        node->set_local_streams({cam});
        ASSERT_TRUE(node->sync());
        for (const auto& m : wire->published())
            if (auto a = m.subject == names.announce() ? parse_announce(text(m.data)) : std::nullopt) epoch = std::to_string(a->epoch);
        ASSERT_FALSE(epoch.empty()) << "the node announces itself at once";
    }
    void TearDown() override { node->stop(); }

    void announce_yard(std::uint64_t seq) {
        announce a;
        a.node = "A";
        a.epoch = 1;
        a.seq = seq;
        a.streams.push_back({"yard", true, "", "", 16, 16, 30, "testsrc:"});
        wire->deliver({names.announce(), "", "", "", bytes(encode_announce(a))});
        ASSERT_TRUE(node->sync());
    }
    std::vector<loopback_transport::message> sent_on(const std::string& subject) {
        std::vector<loopback_transport::message> out;
        for (auto& m : wire->published())
            if (m.subject == subject) out.push_back(m);
        return out;
    }

    subjects names;
    std::shared_ptr<stream_registry> registry = std::make_shared<stream_registry>();
    std::shared_ptr<stream> cam;
    std::shared_ptr<brightness> camera = std::make_shared<brightness>();
    loopback_transport* wire = nullptr;
    std::unique_ptr<cluster_node> node;
    std::string epoch;  // this run of the node
};

}  // namespace

TEST_F(node_over_loopback, relays_the_owners_frames_to_a_viewer_here_and_no_one_elses) {
    announce_yard(1);
    auto yard = registry->find("yard");
    ASSERT_TRUE(yard);
    EXPECT_TRUE(yard->online());
    auto viewer = std::make_shared<counting_viewer>();
    yard->subscribe(viewer);
    ASSERT_TRUE(node->sync());  // the viewer wakes the node: it subscribes to the frames
    ASSERT_TRUE(node->sync());
    EXPECT_EQ(wire->deliver({names.frame("yard"), "", "A", "1", owner_frame(500)}), 1u);
    EXPECT_EQ(viewer->frames, 1);
    EXPECT_EQ(viewer->last_sequence, 1u) << "the relay numbers what it publishes itself";
    wire->deliver({names.frame("yard"), "", "B", "1", owner_frame(501)});  // not the owner
    wire->deliver({names.frame("yard"), "", "A", "2", owner_frame(502)});  // another run of it
    wire->deliver({names.frame("yard"), "", "A", "1", owner_frame(~std::uint64_t{0})});  // forged
    EXPECT_EQ(viewer->frames, 1);
    wire->deliver({names.frame("yard"), "", "A", "1", owner_frame(503)});
    EXPECT_EQ(viewer->frames, 2);
    yard->unsubscribe(viewer.get());
}

TEST_F(node_over_loopback, applies_a_relays_control_request_for_its_stream_and_answers_it) {
    wire->deliver({names.control("cam"), "_INBOX.r.control.cam", "self", epoch,
                   bytes(R"({"type":"control","id":"brightness","value":2})")});
    wire->deliver({names.control("cam"), "_INBOX.r.control.cam", "other", epoch,
                   bytes(R"({"type":"control","id":"brightness","value":-2})")});  // for another node's "cam"
    wire->deliver({names.control("cam"), "_INBOX.r.control.cam", "self", epoch + "1",
                   bytes(R"({"type":"control","id":"brightness","value":-1})")});  // for a run a peer made up
    ASSERT_TRUE(node->sync());
    ASSERT_TRUE(node->sync());  // the answer is published after the pass that applied it
    EXPECT_EQ(camera->value, 2);
    const auto answers = sent_on("_INBOX.r.control.cam");
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<publisher_control_changed>(parse_publisher_text(text(answers[0].data))))
        << text(answers[0].data);
}

TEST_F(node_over_loopback, a_viewers_change_goes_to_the_owners_run_and_its_answer_comes_back) {
    announce_yard(1);
    auto yard = registry->find("yard");
    ASSERT_TRUE(yard);
    wire->deliver({names.controls("yard"), "", "A", "1",
                   bytes(make_publisher_hello_message({{"brightness", "Brightness", "int", -2, 2, 1, 0, {}}}))});
    wire->deliver({names.controls("yard"), "", "B", "1",  // not the owner: not heard
                   bytes(make_publisher_hello_message({{"contrast", "Contrast", "int", -2, 2, 1, 0, {}}}))});
    ASSERT_TRUE(node->sync());
    ASSERT_EQ(yard->controls().size(), 1u);
    EXPECT_EQ(yard->controls()[0].id, "brightness");
    std::atomic<int> answered{0};
    yard->set_control("brightness", 1, [&](const control_result& r) { answered = r.ok ? 1 : -1; });
    ASSERT_TRUE(node->sync());
    ASSERT_TRUE(node->sync());
    const auto requests = sent_on(names.control("yard"));
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].node, "A");
    EXPECT_EQ(requests[0].epoch, "1");
    wire->deliver({requests[0].reply, "", "A", "1", bytes(R"({"type":"control_changed","id":"brightness","value":1})")});
    ASSERT_TRUE(node->sync());
    EXPECT_EQ(answered, 1);
}

// Issue 21 review: a relay of a signed cluster refuses a frame numbered behind the last one of
// the owner's run as a replay, so the owner must never number back within a run, not even when
// a reload gives a stream a new hub (numbered from 1 again).
TEST_F(node_over_loopback, a_streams_frames_go_out_numbered_forward_within_a_run_across_a_new_hub) {
    announce b;
    b.node = "B";
    b.epoch = 1;
    b.seq = 1;
    b.watching["cam"] = 1;  // B's viewers watch our camera: its frames go out
    wire->deliver({names.announce(), "", "", "", bytes(encode_announce(b))});
    ASSERT_TRUE(node->sync());
    const auto jpeg = test::make_jpeg(16, 16);
    auto publish_on = [&](const std::shared_ptr<stream>& hub, int n) {
        for (int i = 0; i < n; ++i) {
            hub->publish(frame::make_storage(jpeg), jpeg.size(), frame_info{16, 16, 1});
            ASSERT_TRUE(node->sync());
        }
    };
    publish_on(cam, 5);
    auto reloaded = std::make_shared<stream>("cam");  // a reload made the stream anew
    node->set_local_streams({reloaded});
    ASSERT_TRUE(node->sync());
    publish_on(reloaded, 5);
    std::vector<std::uint64_t> numbers;
    for (const auto& m : sent_on(names.frame("cam"))) {
        ASSERT_GE(m.data.size(), 16u);
        std::uint64_t n = 0;
        for (int i = 0; i < 8; ++i) n = n << 8 | m.data[8 + i];
        numbers.push_back(n);
        EXPECT_EQ(m.node, "self");
        EXPECT_EQ(m.epoch, epoch);
    }
    ASSERT_GE(numbers.size(), 8u) << "each frame went out (a pass per frame)";
    for (std::size_t i = 1; i < numbers.size(); ++i) EXPECT_GT(numbers[i], numbers[i - 1]) << "frame " << i;
}
