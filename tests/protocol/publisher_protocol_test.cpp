#include "protocol/publisher_protocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace wscam {
namespace {

struct recording_sink : frame_sink {
    std::vector<std::pair<std::string, double>> changes;
    std::vector<std::vector<control_info>> lists;
    void on_frame(frame_ptr) override {}
    void on_status(const stream_status&) override {}
    void on_control_changed(const std::string& id, double v) override { changes.emplace_back(id, v); }
    void on_controls_changed(const std::vector<control_info>& c) override { lists.push_back(c); }
};

/** A publisher on "this thread": posted jobs run when run() is called; sent texts are kept. */
struct fake_publisher {
    explicit fake_publisher(bool relayed = false) : relayed(relayed) { hub->subscribe(viewers); }
    bool relayed;
    std::shared_ptr<stream> hub = std::make_shared<stream>("cam");
    std::shared_ptr<recording_sink> viewers = std::make_shared<recording_sink>();
    std::vector<std::function<void()>> jobs;
    std::vector<nlohmann::json> sent;
    bool gone = false;
    publisher_protocol protocol{hub,
                                [this](std::function<void()> job) {
                                    if (gone) return false;
                                    jobs.push_back(std::move(job));
                                    return true;
                                },
                                [this](std::string text) { sent.push_back(nlohmann::json::parse(text)); }, relayed};
    void run() {
        auto now = std::move(jobs);
        jobs.clear();
        for (auto& j : now) j();
    }
};

constexpr const char* hello = R"({"type":"hello","controls":[
  {"id":"brightness","name":"Brightness","type":"int","min":-2,"max":2,"step":1,"value":0},
  {"id":"wb_mode","name":"White balance","type":"menu","value":0,"options":[{"value":0,"label":"Auto"},{"value":1,"label":"Sunny"}]},
  {"id":"vflip","name":"V-Flip","type":"bool","value":false}]})";

TEST(publisher_protocol, a_hello_offers_the_publishers_controls_to_every_viewer) {
    fake_publisher p;
    EXPECT_EQ(p.protocol.on_text(hello), "");
    ASSERT_EQ(p.viewers->lists.size(), 1u);
    const auto& list = p.viewers->lists[0];
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[1].options[1].label, "Sunny");
    EXPECT_EQ(p.hub->controls().size(), 3u);
}

TEST(publisher_protocol, a_viewers_change_goes_to_the_publisher_and_its_answer_to_every_viewer) {
    fake_publisher p;
    p.protocol.on_text(hello);
    std::vector<control_result> results;
    p.hub->set_control("brightness", 2, [&](const control_result& r) { results.push_back(r); });
    p.run();
    ASSERT_EQ(p.sent.size(), 1u);
    EXPECT_EQ(p.sent[0], (nlohmann::json{{"type", "control"}, {"id", "brightness"}, {"value", 2.0}}));
    EXPECT_TRUE(results.empty()) << "no answer before the camera's";
    p.protocol.on_text(R"({"type":"control_changed","id":"brightness","value":1})");  // it clamps
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].ok);
    EXPECT_EQ(results[0].value, 1);
    ASSERT_EQ(p.viewers->changes.size(), 1u);
    EXPECT_EQ(p.viewers->changes[0], (std::pair<std::string, double>{"brightness", 1}));
    EXPECT_EQ(p.hub->controls()[0].value, 1);
}

TEST(publisher_protocol, a_refusal_or_no_answer_is_an_error_for_the_viewer_who_asked_only) {
    fake_publisher p;
    p.protocol.on_text(hello);
    std::vector<control_result> results;
    auto record = [&](const control_result& r) { results.push_back(r); };
    p.hub->set_control("wb_mode", 1, record);
    p.hub->set_control("vflip", 1, record);
    p.run();
    p.protocol.on_text(R"({"type":"error","id":"wb_mode","reason":"sensor busy"})");
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].error, "wb_mode: the camera refused it: sensor busy");
    p.protocol.expire(std::chrono::steady_clock::now() + std::chrono::seconds(2));
    EXPECT_EQ(results.size(), 1u) << "still within the answer timeout";
    p.protocol.expire(std::chrono::steady_clock::now() + publisher_controls::answer_timeout + std::chrono::seconds(1));
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[1].error, "vflip: the camera did not answer within 3 s");
    EXPECT_TRUE(p.viewers->changes.empty());
}

TEST(publisher_protocol, a_change_made_on_the_camera_itself_reaches_viewers_once) {
    fake_publisher p;
    p.protocol.on_text(hello);
    p.protocol.on_text(R"({"type":"control_changed","id":"vflip","value":1})");
    p.protocol.on_text(R"({"type":"control_changed","id":"vflip","value":1})");
    ASSERT_EQ(p.viewers->changes.size(), 1u);
}

TEST(publisher_protocol, when_the_publisher_leaves_its_controls_leave_and_waiting_viewers_are_told) {
    fake_publisher p;
    p.protocol.on_text(hello);
    std::string error;
    p.hub->set_control("brightness", 1, [&](const control_result& r) { error = r.error; });
    p.run();
    p.protocol.close();
    p.gone = true;
    EXPECT_EQ(error, "brightness: the camera disconnected");
    EXPECT_TRUE(p.hub->controls().empty());
    ASSERT_EQ(p.viewers->lists.size(), 2u);
    EXPECT_TRUE(p.viewers->lists[1].empty());
}

TEST(publisher_protocol, other_texts_keep_their_meaning_as_the_status_message) {
    fake_publisher p;
    p.protocol.on_text("battery low");
    EXPECT_EQ(p.hub->status().message, "battery low");
    p.protocol.on_text(R"({"type":"telemetry","v":3})");
    EXPECT_EQ(p.hub->status().message, R"({"type":"telemetry","v":3})");
}

TEST(publisher_protocol, a_malformed_hello_is_refused_with_a_reason_and_changes_nothing) {
    fake_publisher p;
    EXPECT_EQ(p.protocol.on_text(R"({"type":"hello","controls":[{"id":"x y","type":"int","min":0,"max":1,"value":0}]})"),
              "hello: a control needs an \"id\" of 1-64 letters, digits, '_', '-' or '.'");
    EXPECT_NE(p.protocol.on_text(R"({"type":"hello","controls":[{"id":"a","type":"int","min":3,"max":1,"value":0}]})"), "");
    EXPECT_NE(p.protocol.on_text(R"({"type":"hello","controls":[{"id":"a","type":"menu","value":0,"options":[]}]})"), "");
    EXPECT_NE(p.protocol.on_text(R"({"type":"hello","controls":[{"id":"a","type":"bool","value":0},{"id":"a","type":"bool","value":0}]})"), "");
    EXPECT_TRUE(p.hub->controls().empty());
    EXPECT_TRUE(p.viewers->lists.empty());
}

// A hello of `controls` menus of `options` options each; `label` adds a label of that many letters.
std::string big_hello(int controls, int options, int label) {
    nlohmann::json list = nlohmann::json::array();
    for (int c = 0; c < controls; ++c) {
        nlohmann::json opts = nlohmann::json::array();
        for (int o = 0; o < options; ++o) {
            nlohmann::json option = {{"value", o}};
            if (label) option["label"] = std::string(static_cast<std::size_t>(label), 'L');
            opts.push_back(option);
        }
        list.push_back({{"id", "menu" + std::to_string(c)}, {"type", "menu"}, {"value", 0}, {"options", opts}});
    }
    return nlohmann::json{{"type", "hello"}, {"controls", list}}.dump();
}

TEST(publisher_protocol, a_hello_over_64_KiB_is_refused_with_its_size_and_changes_nothing) {
    // Valid in every other way: 64 menus of 256 options with 64-letter labels, 1.5 MB that every
    // viewer would be sent (and kept, 1.4 MiB each) at every hello.
    fake_publisher p;
    const auto huge = big_hello(64, 256, 64);
    ASSERT_GT(huge.size(), 1'000'000u);
    EXPECT_EQ(p.protocol.on_text(huge), "hello: " + std::to_string(huge.size()) +
                                            " bytes; a list of controls may take at most 65536");
    // Under 64 KiB as sent, but 4,480 options with labels made from their values are longer written out.
    const auto compact = big_hello(64, 70, 0);
    ASSERT_LT(compact.size(), max_publisher_controls_bytes);
    EXPECT_NE(p.protocol.on_text(compact).find("hello: its list written out takes "), std::string::npos);
    EXPECT_TRUE(p.hub->controls().empty());
    EXPECT_TRUE(p.viewers->lists.empty());
    EXPECT_EQ(p.protocol.on_text(big_hello(8, 16, 20)), "") << "a list of a real camera's size is taken";
    EXPECT_EQ(p.hub->controls().size(), 8u);
}

// A cluster relay: the owner node speaks the publisher protocol (wscam's own encoders), its
// refusals already name the control and who refused, and it has its own longer timeout.
TEST(publisher_protocol, a_relay_takes_the_owners_list_and_words_as_they_are) {
    fake_publisher owner;
    owner.protocol.on_text(hello);
    fake_publisher relay(true);
    EXPECT_EQ(relay.protocol.on_text(make_publisher_hello_message(owner.hub->controls())), "");
    ASSERT_EQ(relay.hub->controls().size(), 3u);
    EXPECT_EQ(relay.hub->controls()[1].options[1].label, "Sunny");
    EXPECT_EQ(relay.hub->controls()[2].type, "bool");

    std::vector<control_result> results;
    auto record = [&](const control_result& r) { results.push_back(r); };
    relay.hub->set_control("wb_mode", 1, record);
    relay.hub->set_control("vflip", 1, record);
    relay.run();
    EXPECT_EQ(relay.protocol.on_text(make_publisher_error_message("wb_mode", "wb_mode: the camera refused it: busy")), "");
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].error, "wb_mode: the camera refused it: busy");
    relay.protocol.expire(std::chrono::steady_clock::now() + publisher_controls::answer_timeout + std::chrono::milliseconds(500));
    EXPECT_EQ(results.size(), 1u) << "the owner's own timeout comes first";
    relay.protocol.expire(std::chrono::steady_clock::now() + publisher_controls::relayed_answer_timeout + std::chrono::seconds(1));
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[1].error, "vflip: the stream's node did not answer within 5 s");
    relay.protocol.close();
    EXPECT_TRUE(relay.hub->controls().empty());
}

}  // namespace
}  // namespace wscam
