#include "app/config_file.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

config_document parse(std::string_view text) { return parse_config(text, "wscam.toml"); }

std::string error_of(std::string_view text) {
    try {
        parse(text);
    } catch (const config_file_error& e) {
        return e.what();
    }
    return "no error";
}

TEST(config_file, top_level_keys_are_options_with_dashes_or_underscores_and_streams_are_tables) {
    const auto doc = parse(R"(
port = 8443
max_connections_per_ip = 16
require-tls = true
allow_origin = ["https://a.example", "https://b.example"]
stall-timeout = 2.5

[[stream]]
name = "porch"
source = "http://10.0.0.20:81/stream"
view_token = "porch-secret"
always_on = true

[[stream]]
name = "desk"
source = "testsrc:"
size = "QVGA"
fps = 15
quality = 70
)");
    ASSERT_EQ(doc.settings.size(), 5u);
    EXPECT_EQ(doc.settings[0].option, "port");
    EXPECT_EQ(doc.settings[0].values, std::vector<std::string>{"8443"});
    EXPECT_EQ(doc.settings[0].where, "wscam.toml:2");
    EXPECT_EQ(doc.settings[1].option, "max-connections-per-ip");
    EXPECT_TRUE(doc.settings[2].boolean);
    EXPECT_EQ(doc.settings[3].values.size(), 2u);
    EXPECT_EQ(doc.settings[4].values, std::vector<std::string>{"2.5"});
    ASSERT_EQ(doc.streams.size(), 2u);
    EXPECT_EQ(doc.streams[0].name, "porch");
    EXPECT_EQ(doc.streams[0].view_token, "porch-secret");
    EXPECT_EQ(doc.streams[0].always_on, true);
    EXPECT_EQ(doc.streams[0].where, "wscam.toml:8");
    EXPECT_EQ(doc.streams[1].size, "QVGA");
    EXPECT_EQ(doc.streams[1].fps, 15.0);
    EXPECT_EQ(doc.streams[1].quality, 70);
}

TEST(config_file, mistakes_are_refused_with_the_line_and_the_reason) {
    EXPECT_EQ(error_of("port = \n"), "wscam.toml:1:8: Error while parsing key-value pair: expected value, saw '\\n'");
    EXPECT_EQ(error_of("[[stream]]\nname = \"a\"\nsource = \"testsrc:\"\nfsp = 3\n"),
              "wscam.toml:4:1: unknown key 'fsp' in [[stream]] (known: name, source, view_token, control_token, "
              "publish_token, always_on, size, fps, quality, record, record_codec, record_max_age, record_max_bytes, timelapse, "
              "motion, motion_threshold, motion_min_area, motion_mask, motion_cooldown)");
    EXPECT_EQ(error_of("[[stream]]\nname = \"a\"\nsource = \"testsrc:\"\n[[stream]]\nname = \"a\"\nsource = \"testsrc:\"\n"),
              "wscam.toml:4:1: stream 'a' is defined twice");
    EXPECT_EQ(error_of("[[stream]]\nsource = \"testsrc:\"\n"), "wscam.toml:1:1: [[stream]] without a name");
    EXPECT_EQ(error_of("[[stream]]\nname = \"a b\"\nsource = \"testsrc:\"\n"),
              "wscam.toml:1:1: stream name 'a b': use 1-64 of A-Z a-z 0-9 _ -");
    EXPECT_EQ(error_of("[[stream]]\nname = \"a\"\n"), "wscam.toml:1:1: stream a: no source");
    EXPECT_EQ(error_of("[[stream]]\nname = \"a\"\nsource = \"testsrc:\"\nfps = \"fast\"\n"), "wscam.toml:4:7: fps must be a number");
    EXPECT_EQ(error_of("[[stream]]\nname = \"a\"\nsource = \"testsrc:\"\nquality = 300\n"),
              "wscam.toml:4:11: quality must be between 1 and 100");
    EXPECT_EQ(error_of("[[stream]]\nname = 7\nsource = \"testsrc:\"\n"), "wscam.toml:2:8: stream : name must be a string");
    EXPECT_EQ(error_of("[stream]\nname = \"a\"\n"), "wscam.toml:1:1: stream must be tables: write each camera as [[stream]]");
    EXPECT_EQ(error_of("config = \"other.toml\"\n"), "wscam.toml:1:1: 'config' cannot be set in a config file");
    EXPECT_EQ(error_of("port = { a = 1 }\n"), "wscam.toml:1:8: port: expected a string, number, true/false or a list");
    EXPECT_EQ(error_of("allow-origin = [true]\n"), "wscam.toml:1:17: allow-origin: a list of strings or numbers");
    // Found by the config_file fuzz target: a quoted key may be empty or hold anything.
    EXPECT_EQ(error_of("\"\" = 8080\n"),
              "wscam.toml:1:1: '' is not a setting (the settings are the long options of wscam --help)");
    EXPECT_EQ(error_of("\"po rt\" = 8080\n"),
              "wscam.toml:1:1: 'po rt' is not a setting (the settings are the long options of wscam --help)");
}

TEST(config_file, motion_keys_are_read_and_checked_with_the_line) {
    const auto doc = parse_config("[[stream]]\nsource = \"testsrc:\"\nmotion = true\nmotion_threshold = 40\nmotion_min_area = 0.02\n"
                                  "motion_cooldown = \"2m\"\nmotion_mask = [[[0, 0], [0.5, 0], [0.5, 0.25]]]\nname = \"yard\"\n",
                                  "wscam.toml");
    ASSERT_EQ(doc.streams.size(), 1u);
    const auto& s = doc.streams[0];
    EXPECT_EQ(s.motion, true);
    EXPECT_EQ(s.motion_threshold, 40);
    EXPECT_EQ(s.motion_min_area, 0.02);
    EXPECT_EQ(s.motion_cooldown, std::chrono::minutes(2));
    ASSERT_TRUE(s.motion_mask);
    EXPECT_EQ(*s.motion_mask, (std::vector<motion::polygon>{{{0, 0}, {0.5, 0}, {0.5, 0.25}}}));
    const std::string head = "[[stream]]\nname = \"yard\"\nsource = \"testsrc:\"\n";
    EXPECT_EQ(error_of(head + "motion = 1\n"), "wscam.toml:4:10: stream yard: motion must be true or false");
    EXPECT_EQ(error_of(head + "motion_threshold = 300\n"),
              "wscam.toml:4:20: stream yard: motion_threshold must be a whole number from 1 to 255 (a pixel's brightness change)");
    EXPECT_EQ(error_of(head + "motion_min_area = 2\n"),
              "wscam.toml:4:19: stream yard: motion_min_area must be a share of the picture from 0.0001 to 1 (0.005: half a percent)");
    EXPECT_EQ(error_of(head + "motion_cooldown = \"0.1s\"\n"),
              "wscam.toml:4:19: stream yard: motion_cooldown: give seconds, or a number with s or m (\"5s\"), from 0.5s to 1h");
    EXPECT_EQ(error_of(head + "motion_mask = [[[0, 0], [1.5, 0], [1, 1]]]\n"),
              "wscam.toml:4:15: stream yard: motion_mask: points are [x, y] fractions of the picture, each from 0 to 1");
    EXPECT_EQ(error_of(head + "motion_mask = [[[0, 0], [1, 0]]]\n"), "wscam.toml:4:15: stream yard: motion_mask: each polygon has 3 to 64 points");
    EXPECT_EQ(error_of(head + "motion_mask = [[0, 0, 1]]\n"),
              "wscam.toml:4:17: stream yard: motion_mask: write each polygon as [[x, y], [x, y], [x, y], ...] with x and y fractions of the picture from 0 to 1");
    EXPECT_EQ(error_of(head + "motion_colour = 1\n"),
              "wscam.toml:4:17: unknown key 'motion-colour' in [[stream]] (motion keys: motion, motion_threshold, motion_min_area, motion_mask, motion_cooldown)");
}

TEST(config_file, webhook_tables_are_read_and_checked_with_the_line) {
    const auto doc = parse_config("[[webhook]]\nurl = \"http://h/x\"\nsecret = \"k\"\nstreams = [\"door\"]\ntimeout = 2.5\nretries = 0\n"
                                  "[[webhook]]\nurl = \"https://h2/\"\n",
                                  "wscam.toml");
    ASSERT_EQ(doc.webhooks.size(), 2u);
    EXPECT_EQ(doc.webhooks[0].url, "http://h/x");
    EXPECT_EQ(doc.webhooks[0].secret, "k");
    EXPECT_EQ(doc.webhooks[0].streams, std::vector<std::string>{"door"});
    EXPECT_EQ(doc.webhooks[0].timeout_s, 2.5);
    EXPECT_EQ(doc.webhooks[0].retries, 0);
    EXPECT_EQ(doc.webhooks[0].where, "wscam.toml:1");
    EXPECT_EQ(doc.webhooks[1].retries, 3) << "the default";
    EXPECT_EQ(error_of("[[webhook]]\nsecret = \"k\"\n"), "wscam.toml:1:1: [[webhook]] without a url");
    EXPECT_EQ(error_of("[[webhook]]\nurl = \"http://h/\"\ntimeout = 100\n"), "wscam.toml:3:11: webhook timeout: seconds, from 0.5 to 60");
    EXPECT_EQ(error_of("[[webhook]]\nurl = \"http://h/\"\nretries = 11\n"), "wscam.toml:3:11: webhook retries: a whole number from 0 to 10");
    EXPECT_EQ(error_of("[[webhook]]\nurl = \"http://h/\"\nstreams = [\"a b\"]\n"),
              "wscam.toml:3:12: webhook streams: a list of stream names (1-64 of A-Z a-z 0-9 _ -)");
    EXPECT_EQ(error_of("[[webhook]]\nurl = \"http://h/\"\nheaders = 1\n"),
              "wscam.toml:3:1: unknown key 'headers' in [[webhook]] (known: url, secret, streams, timeout, retries)");
    EXPECT_EQ(error_of("webhook = 1\n"), "wscam.toml:1:11: webhook must be tables: write each as [[webhook]] with url = \"...\"");
}

TEST(config_file, a_nats_table_gives_the_cluster_settings) {
    const auto doc = parse(R"(
[nats]
urls = ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"]
node = "porch"
)");
    ASSERT_EQ(doc.settings.size(), 2u);
    auto values = [&](const std::string& option) {
        for (const auto& setting : doc.settings)
            if (setting.option == option) return setting.values;
        return std::vector<std::string>{};
    };
    EXPECT_EQ(values("nats"), (std::vector<std::string>{"nats://10.0.0.1:4222", "nats://10.0.0.2:4222"}));
    EXPECT_EQ(values("node"), (std::vector<std::string>{"porch"}));
    EXPECT_EQ(parse("[nats]\nurls = \"nats://a:4222\"\n").settings[0].values, (std::vector<std::string>{"nats://a:4222"}));
    EXPECT_EQ(error_of("[nats]\nurl = \"nats://a:4222\"\n"), "wscam.toml:2:1: [nats] has no setting 'url' (it has urls and node)");
    EXPECT_EQ(error_of("[nats]\nurls = [1, 2]\n"), "wscam.toml:2:9: [nats] urls: a list of nats:// URLs");
    EXPECT_EQ(error_of("[nats]\nnode = 5\n"), "wscam.toml:2:8: [nats] node: expected a string");
}

TEST(config_file, a_missing_file_says_so) {
    try {
        read_config_file("/nonexistent/wscam.toml");
        FAIL();
    } catch (const config_file_error& e) {
        EXPECT_EQ(std::string(e.what()), "/nonexistent/wscam.toml: cannot read: No such file or directory");
    }
}

}  // namespace
}  // namespace wscam
