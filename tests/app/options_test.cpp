#include "app/options.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/stream_specs.hpp"

namespace wscam {
namespace {

struct parsed {
    app_options options;
    int exit_code = -1;
    std::string errors;
    bool ok = false;
};

// parse_options as a reload calls it: messages are collected, nothing is printed.
parsed parse(std::vector<std::string> args) {
    args.insert(args.begin(), "wscam");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    parsed p;
    p.ok = parse_options(static_cast<int>(argv.size()), argv.data(), p.options, p.exit_code, &p.errors);
    return p;
}

// A file for the duration of a test.
struct temp_file {
    temp_file(const std::string& name, const std::string& text)
        : path((std::filesystem::temp_directory_path() / ("wscam_options_test_" + std::to_string(::getpid()) + "_" + name)).string()) {
        std::ofstream(path) << text;
    }
    ~temp_file() { std::filesystem::remove(path); }
    const std::string path;
};

TEST(options, restart_only_changes_names_the_options_as_help_does_in_its_order) {
    const auto started = parse({}).options;
    EXPECT_TRUE(restart_only_changes(started, started).empty());
    EXPECT_EQ(restart_only_changes(started, parse({"-p", "9000"}).options), std::vector<std::string>{"port"});
    EXPECT_EQ(restart_only_changes(started, parse({"--listen=::"}).options), std::vector<std::string>{"listen"});
    EXPECT_EQ(restart_only_changes(started, parse({"--write-timeout", "0", "--max-frame-bytes", "2048"}).options),
              (std::vector<std::string>{"max-frame-bytes", "write-timeout"}));
    EXPECT_EQ(restart_only_changes(started, parse({"--nats", "nats://a:4222", "--cluster-forget-after", "60"}).options),
              (std::vector<std::string>{"nats", "cluster-forget-after"}));
}

// A reload never applied the H.264 settings (each encoder keeps the ones it started with), and
// said nothing when they changed: they are restart-only, and named.
TEST(options, the_h264_settings_are_restart_only) {
    const auto started = parse({}).options;
    EXPECT_EQ(restart_only_changes(started, parse({"--h264-crf", "30"}).options), std::vector<std::string>{"h264-crf"});
    EXPECT_EQ(restart_only_changes(started, parse({"--h264-max-streams", "2", "--h264-keyint", "1.5"}).options),
              (std::vector<std::string>{"h264-max-streams", "h264-keyint"}));
}

TEST(options, what_a_reload_applies_is_not_restart_only) {
    const auto started = parse({}).options;
    const auto next = parse({"--view-token", "v", "--control-token", "c", "--fps", "5", "--size", "QVGA", "--always-on",
                             "--stream", "porch=push:", "--publish-token", "p", "--log-level", "debug"})
                          .options;
    EXPECT_TRUE(restart_only_changes(started, next).empty());
}

TEST(options, the_cluster_secret_counts_as_changed_by_its_content_not_its_file_name) {
    const temp_file a("secret_a", "0123456789abcdef0123\n");
    const temp_file b("secret_b", "0123456789abcdef0123");
    const temp_file c("secret_c", "fedcba98765432100123");
    const auto with_a = parse({"--cluster-secret-file", a.path});
    ASSERT_TRUE(with_a.ok) << with_a.errors;
    EXPECT_EQ(with_a.options.cluster_secret, "0123456789abcdef0123") << "the line end is not part of it";
    EXPECT_TRUE(restart_only_changes(with_a.options, parse({"--cluster-secret-file", b.path}).options).empty());
    EXPECT_EQ(restart_only_changes(with_a.options, parse({"--cluster-secret-file", c.path}).options),
              std::vector<std::string>{"cluster-secret-file"});
}

TEST(options, every_source_gets_the_frame_rate_always_on_and_frame_limits_the_options_set_once) {
    const auto p = parse({"--fps", "12", "--always-on", "--max-frame-bytes", "2048", "--max-frame-pixels", "100000"});
    ASSERT_TRUE(p.ok) << p.errors;
    ASSERT_EQ(p.options.streams.size(), 1u);
    const auto& d = p.options.streams[0].defaults;
    EXPECT_EQ(d.pattern.fps, 12);
    EXPECT_EQ(d.intake.fps, 12);
    EXPECT_TRUE(d.pattern.always_on);
    EXPECT_TRUE(d.intake.always_on);
    EXPECT_EQ(p.options.server.max_frame_bytes, 2048u);
    EXPECT_EQ(d.intake.max_frame_bytes, 2048u);
    EXPECT_EQ(p.options.server.max_frame_pixels, 100000u);
    EXPECT_EQ(d.intake.max_frame_pixels, 100000u);
}

TEST(options, a_stream_table_overrides_the_frame_rate_and_always_on_for_both_halves_of_its_source) {
    const temp_file file("streams.toml", "fps = 12\n[[stream]]\nname = \"desk\"\nsource = \"testsrc:\"\n"
                                                "fps = 5\nalways_on = true\nsize = \"QVGA\"\n");
    const auto p = parse({"--config", file.path, "--stream", "porch=push:"});
    ASSERT_TRUE(p.ok) << p.errors;
    ASSERT_EQ(p.options.streams.size(), 2u);
    const auto& desk = p.options.streams[0];
    EXPECT_EQ(desk.name, "desk");
    EXPECT_EQ(desk.defaults.pattern.fps, 5);
    EXPECT_EQ(desk.defaults.intake.fps, 5);
    EXPECT_TRUE(desk.defaults.intake.always_on);
    EXPECT_EQ(desk.defaults.pattern.size, (frame_size{320, 240}));
    const auto& porch = p.options.streams[1];
    EXPECT_EQ(porch.where, "--stream");
    EXPECT_EQ(porch.defaults.intake.fps, 12) << "the file's top-level fps is the command line's";
    EXPECT_FALSE(porch.defaults.intake.always_on);
    EXPECT_EQ(p.options.server.default_stream, "desk");
}

TEST(options, usage_errors_exit_2_with_the_message_and_where_a_bad_value_came_from) {
    const auto bad_stream = parse({"--stream", "porch"});
    EXPECT_FALSE(bad_stream.ok);
    EXPECT_EQ(bad_stream.exit_code, 2);
    EXPECT_EQ(bad_stream.errors, "--stream: 'porch' is not NAME=URI");
    const temp_file file("bad_port.toml", "port = \"eighty\"\n");
    const auto bad_port = parse({"--config", file.path});
    EXPECT_EQ(bad_port.exit_code, 2);
    EXPECT_EQ(bad_port.errors, "Could not convert: --port = eighty; (" + file.path + ":1 sets port)");
    EXPECT_EQ(parse({"--require-tls"}).errors, "--require-tls needs --tls-cert and --tls-key");
}

TEST(options, motion_is_the_command_lines_unless_a_stream_table_says_otherwise) {
    const temp_file file("motion.toml", "[[stream]]\nname = \"desk\"\nsource = \"testsrc:\"\nmotion = false\n"
                                        "[[stream]]\nname = \"door\"\nsource = \"testsrc:\"\nmotion_threshold = 50\n"
                                        "[[stream]]\nname = \"yard\"\nsource = \"testsrc:\"\nmotion = true\nmotion_min_area = 0.1\n");
    auto p = parse({"--config", file.path, "--motion", "--motion-threshold", "30", "--motion-cooldown", "2s", "--events-max-age", "7d",
                    "--events-max-bytes", "200M"});
    ASSERT_TRUE(p.ok) << p.errors;
    ASSERT_EQ(p.options.streams.size(), 3u);
    EXPECT_FALSE(p.options.streams[0].recording.motion) << "its table turns it off";
    ASSERT_TRUE(p.options.streams[1].recording.motion);
    EXPECT_EQ(p.options.streams[1].recording.motion->threshold, 50) << "its table's threshold";
    EXPECT_EQ(p.options.streams[1].recording.motion->cooldown, std::chrono::seconds(2)) << "the command line's cooldown";
    ASSERT_TRUE(p.options.streams[2].recording.motion);
    EXPECT_EQ(p.options.streams[2].recording.motion->threshold, 30);
    EXPECT_EQ(p.options.streams[2].recording.motion->min_area, 0.1);
    EXPECT_EQ(p.options.events_keep.max_age_us, 7 * 86'400'000'000LL);
    EXPECT_EQ(p.options.events_keep.max_bytes, 200ULL << 20);
    p = parse({"--config", file.path});
    ASSERT_TRUE(p.ok) << p.errors;
    EXPECT_FALSE(p.options.streams[1].recording.motion) << "tuned, not turned on";
    EXPECT_TRUE(p.options.streams[2].recording.motion) << "turned on by its table alone";
    EXPECT_EQ(parse({"--motion-cooldown", "soon"}).errors,
              "--motion-cooldown: give seconds, or a number with s or m (5s, 2m), from 0.5s to 1h; not 'soon'");
    EXPECT_EQ(parse({"--motion-threshold", "0"}).exit_code, 2);
    EXPECT_EQ(parse({"--events-max-bytes", "lots"}).errors, "--events-max-bytes: give bytes, or a number with K, M, G or T (1G), not 'lots'");
}

TEST(options, recording_is_the_command_lines_unless_a_stream_table_says_otherwise) {
    const temp_file file("record.toml", "[[stream]]\nname = \"desk\"\nsource = \"testsrc:\"\nrecord = \"off\"\n"
                                        "[[stream]]\nname = \"door\"\nsource = \"testsrc:\"\nrecord_codec = \"mjpeg\"\n"
                                        "record_max_bytes = \"20G\"\n");
    const auto p = parse({"--config", file.path, "--record", "continuous", "--stream", "porch=push:", "--record-dir", "/srv/cam",
                          "--record-segment", "60", "--record-max-age", "7d", "--record-dir-max-bytes", "1T"});
    ASSERT_TRUE(p.ok) << p.errors;
    ASSERT_EQ(p.options.streams.size(), 3u);
    EXPECT_EQ(p.options.streams[0].recording, (stream_recording{record::mode::off, record::codec::h264, {7 * 86'400'000'000LL, 0}, 0, {}, {}}));
    EXPECT_EQ(p.options.streams[1].recording, (stream_recording{record::mode::continuous, record::codec::mjpeg, {7 * 86'400'000'000LL, 20ULL << 30}, 0, {}, {}}));
    EXPECT_EQ(p.options.streams[2].recording, (stream_recording{record::mode::continuous, record::codec::h264, {7 * 86'400'000'000LL, 0}, 0, {}, {}}));
    EXPECT_EQ(p.options.record_dir, "/srv/cam");
    EXPECT_EQ(p.options.record_segment_s, 60);
    EXPECT_EQ(p.options.record_dir_max_bytes, 1ULL << 40);
    EXPECT_EQ(parse({"--record-max-age", "a week"}).errors, "--record-max-age: give seconds, or a number with s, m, h or d (7d), not 'a week'");
    EXPECT_EQ(parse({"--record-dir-max-bytes", "lots"}).exit_code, 2);
    EXPECT_EQ(parse({}).options.record_dir, "recordings") << "outside systemd: next to where wscam runs";
    EXPECT_EQ(parse({}).options.streams[0].recording.mode, record::mode::off) << "nothing is recorded unless asked";
    EXPECT_FALSE(parse({}).options.streams[0].recording.motion) << "nor looked at for motion";

    const temp_file bad("bad_record.toml", "[[stream]]\nname = \"desk\"\nsource = \"testsrc:\"\nrecord = \"always\"\n");
    EXPECT_EQ(parse({"--config", bad.path}).errors,
              bad.path + ":4:10: stream desk: record must be \"continuous\", \"events\" or \"off\"");
    EXPECT_EQ(parse({"--record", "sometimes"}).exit_code, 2);
    const auto events = parse({"--record", "events", "--record-preroll", "8", "--record-postroll", "20"});
    EXPECT_EQ(events.errors, "");
    EXPECT_EQ(events.options.streams[0].recording.mode, record::mode::events);
    EXPECT_EQ(events.options.record_preroll_s, 8);
    EXPECT_EQ(events.options.record_postroll_s, 20);
    EXPECT_EQ(parse({"--record-preroll", "61"}).exit_code, 2) << "a minute of pictures in memory at most";
    EXPECT_EQ(parse({"--timelapse", "90s"}).options.streams[0].recording.timelapse_s, 90);
    EXPECT_EQ(parse({"--timelapse", "0.5s"}).exit_code, 2);
    const temp_file lapse("lapse.toml", "[[stream]]\nname = \"desk\"\nsource = \"testsrc:\"\ntimelapse = \"5m\"\n");
    EXPECT_EQ(parse({"--config", lapse.path}).options.streams[0].recording.timelapse_s, 300);
    const temp_file bad_lapse("bad_lapse.toml", "[[stream]]\nname = \"desk\"\nsource = \"testsrc:\"\ntimelapse = \"2d\"\n");
    EXPECT_EQ(parse({"--config", bad_lapse.path}).errors,
              bad_lapse.path + ":4:13: stream desk: timelapse: give seconds from 1 to 86400, or a number with s, m or h (\"60s\"); 0: none");
}

}  // namespace
}  // namespace wscam
