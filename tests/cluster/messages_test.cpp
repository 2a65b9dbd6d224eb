#include "cluster/messages.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstring>

#include "core/frame.hpp"
#include "core/text.hpp"
#include "core/token_check.hpp"

namespace wscam::cluster {
namespace {

using json = nlohmann::json;

announce sample() {
    announce a;
    a.node = "node-A.lan";
    a.epoch = 1764343934567890;
    a.seq = 812;
    a.streams.push_back({"cam", true, "", "", 640, 480, 30, "testsrc:"});
    a.streams.push_back({"yard", false, "HTTP 503 Service Unavailable", "rebooting", 320, 240, 12.5, "http://cam.lan/"});
    a.watching = {{"door", 2}, {"gate", 1}};
    return a;
}

// The sample as JSON, to break one field at a time.
json sample_json() { return json::parse(encode_announce(sample())); }

std::string why_refused(const std::string& text) {
    std::string error;
    EXPECT_FALSE(parse_announce(text, &error)) << text.substr(0, 200);
    EXPECT_FALSE(error.empty());
    return error;
}

TEST(announce, round_trips_through_json) {
    const auto a = sample();
    const auto text = encode_announce(a);
    std::string error;
    const auto back = parse_announce(text, &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, a);
    EXPECT_EQ(json::parse(text)["streams"][0]["fps"].dump(), "30") << "whole rates as integers";
    auto leaving = a;
    leaving.leaving = true;
    leaving.streams.clear();
    leaving.watching.clear();
    EXPECT_EQ(parse_announce(encode_announce(leaving)), leaving);
}

TEST(announce, carries_where_the_node_serves_clients_and_nothing_else_there) {
    auto a = sample();
    a.url = "https://cam-a.example:8443";
    a.streams[0].recording = true;
    EXPECT_EQ(parse_announce(encode_announce(a)), a);
    EXPECT_FALSE(json::parse(encode_announce(sample()))["streams"][0].contains("recording")) << "only when it records";
    EXPECT_FALSE(json::parse(encode_announce(sample())).contains("url")) << "not said: not sent";
    // The url goes into other nodes' Location headers: only a scheme, a host and a port.
    for (const char* bad : {"ftp://a", "http://", "http://a/path", "http://a?x=1", "http://user@a", "http://a:0", "http://a:65536",
                            "http://a:", "http://a b", "http://a\r\nSet-Cookie: x", "javascript:alert(1)", "http://[::1", "http://[]"}) {
        auto j = json::parse(encode_announce(sample()));
        j["url"] = bad;
        std::string error;
        EXPECT_FALSE(parse_announce(j.dump(), &error)) << bad;
        EXPECT_NE(error.find("\"url\""), std::string::npos) << error;
    }
    for (const char* good : {"http://127.0.0.1:8080", "http://cam-a.local", "https://[::1]:8443", "http://[fe80::1]"})
        EXPECT_TRUE(valid_advertise_url(good)) << good;
    EXPECT_FALSE(valid_advertise_url("http://" + std::string(200, 'a')));
    for (const char* odd : {"http://[...]", "http://[1.2.3.4]", "http://-", "http://.", "http://..", "http://evil:00080",
                            "http://.65535.", "http://-99999", "http://a..b", "http://a-.b", "http://1.2.3", "http://a.-b"})
        EXPECT_FALSE(valid_advertise_url(odd)) << odd;
    EXPECT_TRUE(valid_advertise_url("http://10.0.0.7:8080"));
    EXPECT_TRUE(valid_advertise_url("http://cam-1.home.arpa"));
}

TEST(announce, refuses_what_is_not_a_json_object) {
    for (const char* bad : {"", "not json", "{", "[]", "42", "\"announce\"", "{\"v\":1,", "null"}) why_refused(bad);
}

TEST(announce, refuses_another_version) {
    for (const json& v : {json(2), json(0), json("1"), json(1.0), json(-1), json(nullptr)}) {
        auto j = sample_json();
        j["v"] = v;
        EXPECT_NE(why_refused(j.dump()).find("version"), std::string::npos) << v;
    }
    auto j = sample_json();
    j.erase("v");
    why_refused(j.dump());
}

TEST(announce, refuses_more_than_1024_streams_or_watched_streams) {
    auto a = sample();
    a.streams.clear();
    for (int i = 0; i < 1024; ++i) a.streams.push_back({"s" + std::to_string(i), true, "", "", 0, 0, 0, ""});
    ASSERT_TRUE(parse_announce(encode_announce(a))) << "1024 is allowed";
    a.streams.push_back({"one-more", true, "", "", 0, 0, 0, ""});
    EXPECT_NE(why_refused(encode_announce(a)).find("1024"), std::string::npos);
    auto w = sample();
    for (int i = 0; i < 1025; ++i) w.watching["w" + std::to_string(i)] = 1;
    why_refused(encode_announce(w));
}

TEST(announce, refuses_more_than_256_kib) {
    auto j = sample_json();
    j["padding"] = std::string(max_announce_bytes, 'x');
    EXPECT_NE(why_refused(j.dump()).find("larger"), std::string::npos);
    j["padding"] = std::string(max_announce_bytes - 1000, 'x');
    EXPECT_TRUE(parse_announce(j.dump())) << "unknown fields are ignored";
}

TEST(announce, refuses_an_invalid_or_repeated_stream_name) {
    for (const json& name : {json("a.b"), json(""), json(std::string(65, 'a')), json("a b"), json("ü"), json(7)}) {
        auto j = sample_json();
        j["streams"][0]["name"] = name;
        why_refused(j.dump());
    }
    auto j = sample_json();
    j["streams"][1]["name"] = "cam";
    EXPECT_NE(why_refused(j.dump()).find("twice"), std::string::npos);
    j = sample_json();
    j["watching"]["a.b"] = 1;
    why_refused(j.dump());
}

TEST(announce, refuses_an_invalid_node_name) {
    for (const json& node : {json("A\r\nB"), json(""), json(std::string(65, 'n')), json("a/b"), json(1)}) {
        auto j = sample_json();
        j["node"] = node;
        EXPECT_NE(why_refused(j.dump()).find("node"), std::string::npos) << node;
    }
}

TEST(announce, refuses_a_non_finite_or_out_of_range_fps) {
    auto text = encode_announce(sample());
    const auto at = text.find("\"fps\":30");
    ASSERT_NE(at, std::string::npos);
    const auto with_fps = [&](const char* fps) { return std::string(text).replace(at, 8, std::string("\"fps\":") + fps); };
    // JSON has no NaN or infinity; nlohmann refuses a number that overflows to one as not JSON.
    for (const char* fps : {"1e999", "-1e999", "NaN", "Infinity"}) why_refused(with_fps(fps));
    for (const char* fps : {"-1", "-0.5", "1000.5", "\"30\"", "null", "true"})
        EXPECT_NE(why_refused(with_fps(fps)).find("fps"), std::string::npos) << fps;
    EXPECT_TRUE(parse_announce(with_fps("1000")));
    EXPECT_TRUE(parse_announce(with_fps("0.25")));
}

TEST(announce, refuses_a_size_over_65535_and_other_bad_numbers) {
    for (const char* field : {"width", "height"}) {
        auto j = sample_json();
        j["streams"][0][field] = 65536;
        EXPECT_NE(why_refused(j.dump()).find(field), std::string::npos);
        j["streams"][0][field] = -1;
        why_refused(j.dump());
        j["streams"][0][field] = 640.5;
        why_refused(j.dump());
    }
    for (const char* field : {"epoch", "seq"}) {
        auto j = sample_json();
        j[field] = -5;
        why_refused(j.dump());
        j.erase(field);
        why_refused(j.dump());
    }
    auto j = sample_json();
    j["watching"]["door"] = max_watching_viewers + 1;
    why_refused(j.dump());
    j["watching"]["door"] = -1;
    why_refused(j.dump());
    j = sample_json();
    j["streams"][0].erase("online");
    why_refused(j.dump());
    j = sample_json();
    j["leaving"] = "yes";
    why_refused(j.dump());
    j = sample_json();
    j["streams"][0]["reason"] = 5;
    why_refused(j.dump());
}

TEST(announce, texts_from_another_node_are_sanitised) {
    auto j = sample_json();
    j["streams"][1]["reason"] = "line\r\nbreak\x1b[31m";
    j["streams"][1]["message"] = std::string(2000, 'm');
    j["streams"][1]["source"] = "tab\there";
    const auto a = parse_announce(j.dump());
    ASSERT_TRUE(a);
    const auto& s = a->streams[1];
    for (const auto* text : {&s.reason, &s.message, &s.source}) EXPECT_TRUE(is_clean_text(*text)) << *text;
    EXPECT_EQ(s.reason, "line  break [31m");
    EXPECT_LE(s.message.size(), max_outside_text_bytes);
}

TEST(announce, optional_fields_may_be_left_out) {
    const auto a = parse_announce(R"({"v":1,"node":"B","epoch":7,"seq":1,"streams":[{"name":"cam","online":true}]})");
    ASSERT_TRUE(a);
    EXPECT_FALSE(a->leaving);
    EXPECT_TRUE(a->watching.empty());
    EXPECT_EQ(a->streams.at(0).width, 0);
    EXPECT_EQ(a->streams.at(0).fps, 0);
}

TEST(announce, deep_nesting_in_an_unknown_field_is_read_without_a_crash) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_TRUE(parse_announce(R"({"v":1,"node":"B","epoch":7,"seq":1,"streams":[],"x":)" + deep + "}"));
    why_refused(R"({"v":1,"node":"B","epoch":7,"seq":1,"streams":)" + deep + "}");
}

// Issue 21, item 2: a stream's tokens travel as verifiers, so that every node can require them.
TEST(announce, carries_token_verifiers_and_refuses_anything_else_in_their_place) {
    announce a{"A", 7, 1, false, {}, {}};
    a.streams.push_back({"secret", true, "", "", 640, 480, 30, "testsrc:", make_token_verifier("v"), make_token_verifier("c")});
    a.streams.push_back({"open", true, "", "", 640, 480, 30, "testsrc:", "", ""});
    const auto text = encode_announce(a);
    EXPECT_EQ(text.find("\"view_check\"", text.find("\"open\"")), std::string::npos) << "none for an open stream";
    const auto back = parse_announce(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, a);
    for (const auto* bad : {R"("view_check":"v")", R"("view_check":7)", R"("control_check":"pbkdf2-sha256$10000$00$00")"}) {
        std::string error;
        EXPECT_FALSE(parse_announce(std::string(R"({"v":1,"node":"A","epoch":7,"seq":1,"streams":[{"name":"s","online":true,)") +
                                        bad + "}]}",
                                    &error))
            << bad;
        EXPECT_NE(error.find("token verifier"), std::string::npos) << error;
    }
}

// A frame message as the owner publishes it: frame::framed() of a tiny "JPEG".
std::vector<std::uint8_t> frame_message(std::uint16_t w = 640, std::uint16_t h = 480, std::size_t jpeg_size = 100,
                                        std::uint64_t sequence = 7) {
    auto storage = frame::make_storage(jpeg_size);
    std::uint8_t* jpeg = storage.data() + frame::header_size;
    jpeg[0] = 0xFF, jpeg[1] = 0xD8, jpeg[jpeg_size - 2] = 0xFF, jpeg[jpeg_size - 1] = 0xD9;
    const frame f(std::move(storage), jpeg_size, {w, h, 1234567}, sequence, 7654321);
    return {f.framed().begin(), f.framed().end()};
}

// The same with a real JPEG of `jpeg_w` x `jpeg_h` (a grey picture) behind a header that says w x h.
std::vector<std::uint8_t> real_frame_message(std::uint16_t w, std::uint16_t h, int jpeg_w, int jpeg_h,
                                             std::uint64_t sequence = 7) {
    std::vector<std::uint8_t> rgb(static_cast<std::size_t>(jpeg_w) * jpeg_h * 3, 128);
    jpeg_encoder encoder;
    std::vector<std::uint8_t> storage;
    const auto size = encoder.encode_rgb(rgb.data(), jpeg_w, jpeg_h, 80, storage, frame::header_size);
    const frame f(std::move(storage), size, {w, h, 1234567}, sequence, 7654321);
    return {f.framed().begin(), f.framed().end()};
}

std::string why_not(const std::vector<std::uint8_t>& bytes, std::size_t max_bytes = 4 << 20,
                    std::uint64_t max_pixels = 40'000'000) {
    std::string why;
    jpeg_decoder decoder;
    EXPECT_FALSE(check_relayed_frame(bytes, max_bytes, max_pixels, decoder, &why));
    EXPECT_FALSE(why.empty());
    return why;
}

TEST(check_relayed_frame, accepts_a_frame_as_the_owner_sends_it) {
    const auto bytes = real_frame_message(640, 480, 640, 480);
    std::string why;
    jpeg_decoder decoder;
    const auto f = check_relayed_frame(bytes, 4 << 20, 40'000'000, decoder, &why);
    ASSERT_TRUE(f) << why;
    EXPECT_EQ(f->width, 640);
    EXPECT_EQ(f->height, 480);
    EXPECT_EQ(f->sequence, 7u);
    EXPECT_EQ(f->capture_us, 1234567);
    EXPECT_EQ(f->jpeg.data(), bytes.data() + frame::header_size);
    EXPECT_EQ(f->jpeg.size(), bytes.size() - frame::header_size);
    EXPECT_TRUE(check_relayed_frame(bytes, f->jpeg.size(), 640 * 480, decoder)) << "the caps themselves are allowed";
}

// Issue 21, item 3: a 5 KB frame whose header said 16x16 and whose JPEG said 16000x16000 took a
// relay to 2.2 GiB (every decoder downstream believed the JPEG).
TEST(check_relayed_frame, refuses_a_jpeg_of_another_size_than_its_header_says) {
    EXPECT_NE(why_not(real_frame_message(16, 16, 64, 48)).find("the JPEG is 64x48 but its frame header says 16x16"),
              std::string::npos);
    EXPECT_NE(why_not(real_frame_message(64, 48, 48, 64)).find("64x48"), std::string::npos);
}

TEST(check_relayed_frame, refuses_a_jpeg_without_a_size_turbojpeg_can_read) {
    // Only the markers: frame_message's bytes between FF D8 and FF D9 are zeros (TurboJPEG reads 0x0 or nothing).
    const auto why = why_not(frame_message());
    EXPECT_TRUE(why.find("JPEG header unreadable") != std::string::npos || why.find("the JPEG is 0x0") != std::string::npos)
        << why;
}

TEST(check_relayed_frame, refuses_a_message_shorter_than_the_header) {
    auto bytes = frame_message();
    bytes.resize(31);
    EXPECT_NE(why_not(bytes).find("shorter"), std::string::npos);
    why_not({});
}

TEST(check_relayed_frame, refuses_another_type) {
    auto bytes = frame_message();
    bytes[0] = 2;
    EXPECT_NE(why_not(bytes).find("type 2"), std::string::npos);
}

TEST(check_relayed_frame, refuses_a_header_size_outside_32_to_the_length) {
    auto bytes = frame_message(640, 480, 4);  // 36 bytes
    bytes[1] = 40;
    EXPECT_NE(why_not(bytes).find("header size 40"), std::string::npos);
    bytes[1] = 31;
    why_not(bytes);
}

TEST(check_relayed_frame, refuses_a_jpeg_without_its_markers) {
    auto bytes = frame_message();
    bytes.back() = 0xD8;
    EXPECT_NE(why_not(bytes).find("FFD9"), std::string::npos);
    bytes = frame_message();
    bytes[frame::header_size + 1] = 0x00;
    why_not(bytes);
    bytes = frame_message(640, 480, 3);  // FF D8 D9: too short to hold both
    bytes[frame::header_size + 1] = 0xD8;
    why_not(bytes);
}

TEST(check_relayed_frame, refuses_too_many_pixels_or_bytes_and_a_zero_side) {
    EXPECT_NE(why_not(frame_message(640, 480), 4 << 20, 640 * 480 - 1).find("--max-frame-pixels"), std::string::npos);
    EXPECT_NE(why_not(frame_message(65535, 65535)).find("--max-frame-pixels"), std::string::npos);
    EXPECT_NE(why_not(frame_message(640, 480, 100), 99).find("--max-frame-bytes"), std::string::npos);
    why_not(frame_message(0, 480));
    why_not(frame_message(640, 0));
}

TEST(check_relayed_frame, refuses_sequence_zero) {
    EXPECT_NE(why_not(frame_message(640, 480, 100, 0)).find("sequence 0"), std::string::npos);
}

TEST(node_names, are_1_to_64_letters_digits_underscore_dot_or_dash) {
    EXPECT_TRUE(valid_node_name("A"));
    EXPECT_TRUE(valid_node_name("edge-1.example_lan"));
    EXPECT_TRUE(valid_node_name(std::string(64, 'n')));
    for (const auto& bad : {std::string(), std::string(65, 'n'), std::string("a b"), std::string("a\r\n"),
                            std::string("a/b"), std::string("é"), std::string("a*")})
        EXPECT_FALSE(valid_node_name(bad)) << bad;
}

TEST(node_names, come_from_the_host_name_with_other_characters_replaced_and_cut) {
    EXPECT_EQ(node_name_from_host("cam-host.lan"), "cam-host.lan");
    EXPECT_EQ(node_name_from_host("my host/é"), "my-host---");
    EXPECT_EQ(node_name_from_host(""), "wscam");
    EXPECT_EQ(node_name_from_host(std::string(100, 'h')), std::string(64, 'h'));
    EXPECT_TRUE(valid_node_name(node_name_from_host(std::string("\0\xff x", 4))));
}

}  // namespace
}  // namespace wscam::cluster
