#include "codec/multipart_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "jpeg_fixtures.hpp"

namespace wscam {
namespace {

using bytes = std::vector<std::uint8_t>;

struct parts_seen {
    std::vector<bytes> bodies;
    std::vector<part_headers> headers;
    multipart_parser parser;
    explicit parts_seen(const std::string& boundary, std::size_t max = 1 << 20)
        : parser(boundary, max, [this](std::span<const std::uint8_t> b, const part_headers& h) {
              bodies.emplace_back(b.begin(), b.end());
              headers.push_back(h);
          }) {}
    void feed(const std::string& s) { parser.feed({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}); }
    void feed(const bytes& b) { parser.feed(b); }
};

std::string str(const bytes& b) { return {b.begin(), b.end()}; }

// Espressif's CameraWebServer (app_httpd.cpp stream_handler), byte for byte.
constexpr const char* esp_boundary = "123456789000000000000987654321";
std::string esp_part(const bytes& jpeg, int ts_sec, int ts_usec) {
    std::string s = "\r\n--123456789000000000000987654321\r\n";
    s += "Content-Type: image/jpeg\r\nContent-Length: " + std::to_string(jpeg.size()) + "\r\nX-Timestamp: " +
         std::to_string(ts_sec) + "." + std::to_string(ts_usec) + "\r\n\r\n";
    return s + str(jpeg);
}

TEST(multipart_parser, reads_camerawebserver_parts_with_their_headers) {
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2);
    parts_seen seen(esp_boundary);
    seen.feed(esp_part(a, 12, 345) + esp_part(b, 12, 400) + "\r\n--123456789000000000000987654321\r\n");
    ASSERT_EQ(seen.bodies.size(), 2u);
    EXPECT_EQ(seen.bodies[0], a);
    EXPECT_EQ(seen.bodies[1], b);
    EXPECT_EQ(seen.headers[0].at("content-type"), "image/jpeg");
    EXPECT_EQ(seen.headers[0].at("x-timestamp"), "12.345");
}

TEST(multipart_parser, parts_split_at_every_byte_boundary_come_out_whole) {
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2);
    const std::string stream = esp_part(a, 1, 1) + esp_part(b, 1, 2) + esp_part(a, 1, 3);
    for (std::size_t cut = 1; cut < stream.size(); cut += 5) {
        parts_seen seen(esp_boundary);
        seen.feed(stream.substr(0, cut));
        seen.feed(stream.substr(cut));
        // The last part has a Content-Length, so it is complete without a closing boundary.
        ASSERT_EQ(seen.bodies.size(), 3u) << "cut " << cut;
        EXPECT_EQ(seen.bodies[0], a);
        EXPECT_EQ(seen.bodies[1], b);
        EXPECT_EQ(seen.bodies[2], a);
    }
}

TEST(multipart_parser, without_content_length_a_part_ends_at_the_next_boundary) {
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2);
    parts_seen seen("frame");
    seen.feed("--frame\r\nContent-Type: image/jpeg\r\n\r\n" + str(a) + "\r\n--frame\r\nContent-Type: image/jpeg\r\n\r\n" +
              str(b) + "\r\n--frame\r\n");
    ASSERT_EQ(seen.bodies.size(), 2u);
    EXPECT_EQ(seen.bodies[0], a);
    EXPECT_EQ(seen.bodies[1], b);
}

TEST(multipart_parser, accepts_boundaries_with_or_without_dashes_and_bare_newlines) {
    const auto a = test::make_jpeg();
    for (const char* header_boundary : {"myboundary", "--myboundary"}) {
        parts_seen seen(header_boundary);
        seen.feed("--myboundary\nContent-Length: " + std::to_string(a.size()) + "\n\n" + str(a) + "\n--myboundary\n");
        ASSERT_EQ(seen.bodies.size(), 1u) << header_boundary;
        EXPECT_EQ(seen.bodies[0], a);
    }
}

TEST(multipart_parser, a_wrong_content_length_resynchronises_on_the_boundary) {
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2);
    parts_seen seen("b0undary");
    // The first part claims 10 bytes fewer than it has: its body comes out short (the
    // validator refuses it later), and the next part is still found.
    seen.feed("--b0undary\r\nContent-Length: " + std::to_string(a.size() - 10) + "\r\n\r\n" + str(a) +
              "\r\n--b0undary\r\nContent-Length: " + std::to_string(b.size()) + "\r\n\r\n" + str(b) + "\r\n--b0undary\r\n");
    ASSERT_EQ(seen.bodies.size(), 2u);
    EXPECT_EQ(seen.bodies[0].size(), a.size() - 10);
    EXPECT_EQ(seen.bodies[1], b);
}

TEST(multipart_parser, skips_leading_garbage_and_drops_oversized_parts) {
    const auto small = test::make_jpeg(32, 32), big = test::make_jpeg(320, 240, 1, 95);
    parts_seen seen("frame", small.size() + 100);
    seen.feed("HTTP junk before the first boundary\r\n--frame\r\nContent-Length: " + std::to_string(big.size()) +
              "\r\n\r\n" + str(big) + "\r\n--frame\r\n\r\n" + str(big) + "\r\n--frame\r\nContent-Length: " +
              std::to_string(small.size()) + "\r\n\r\n" + str(small) + "\r\n--frame\r\n");
    ASSERT_EQ(seen.bodies.size(), 1u);
    EXPECT_EQ(seen.bodies[0], small);
    EXPECT_EQ(seen.parser.dropped(), 2u);
}

TEST(multipart_parser, boundary_text_inside_a_jpeg_without_dashes_does_not_split_it) {
    // A one-letter boundary occurs in any JPEG's bytes; only "--" + boundary delimits.
    const auto a = test::make_jpeg(320, 240, 1, 90);
    parts_seen seen("x");
    seen.feed("--x\r\n\r\n" + str(a) + "\r\n--x\r\n");
    ASSERT_EQ(seen.bodies.size(), 1u);
    EXPECT_EQ(seen.bodies[0], a);
}

TEST(multipart_parser, boundary_from_content_type_handles_quotes_and_case) {
    using mp = multipart_parser;
    EXPECT_EQ(mp::boundary_from_content_type("multipart/x-mixed-replace;boundary=123456789000000000000987654321"),
              "123456789000000000000987654321");
    EXPECT_EQ(mp::boundary_from_content_type("multipart/x-mixed-replace; boundary=\"--my frame\""), "--my frame");
    EXPECT_EQ(mp::boundary_from_content_type("Multipart/X-Mixed-Replace; Boundary=abc; charset=x"), "abc");
    EXPECT_EQ(mp::boundary_from_content_type("image/jpeg"), std::nullopt);
    EXPECT_EQ(mp::boundary_from_content_type("multipart/x-mixed-replace"), std::nullopt);
    EXPECT_EQ(mp::boundary_from_content_type("multipart/x-mixed-replace; boundary="), std::nullopt);
}

TEST(multipart_parser, a_header_block_is_bounded_in_lines_even_when_every_line_repeats_one_name) {
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2);
    parts_seen seen(esp_boundary);
    std::string flood = "\r\n--123456789000000000000987654321\r\nContent-Type: image/jpeg\r\n";
    for (int i = 0; i < 100; ++i) flood += "X-Repeat: " + std::to_string(i) + "\r\n";  // one name, 100 lines
    flood += "Content-Length: " + std::to_string(a.size()) + "\r\n\r\n" + str(a);
    seen.feed(flood + esp_part(b, 2, 0) + "\r\n--123456789000000000000987654321\r\n");
    EXPECT_EQ(seen.parser.dropped(), 1u) << "a part with more than 64 header lines is dropped";
    ASSERT_EQ(seen.bodies.size(), 1u) << "and the parser resynchronises on the next boundary";
    EXPECT_EQ(seen.bodies[0], b);
}

TEST(multipart_parser, a_part_whose_header_lines_arrive_in_one_read_is_parsed_in_one_pass) {
    // 60 short header lines and the body in a single feed: everything in one buffer, parsed
    // without moving the rest of the buffer once per line (it used to, quadratically).
    const auto a = test::make_jpeg(64, 48, 1);
    parts_seen seen(esp_boundary);
    std::string part = "\r\n--123456789000000000000987654321\r\n";
    for (int i = 0; i < 60; ++i) part += "X-" + std::to_string(i) + ": v\r\n";
    part += "Content-Length: " + std::to_string(a.size()) + "\r\n\r\n" + str(a);
    seen.feed(part + "\r\n--123456789000000000000987654321\r\n");
    ASSERT_EQ(seen.bodies.size(), 1u);
    EXPECT_EQ(seen.bodies[0], a);
    EXPECT_EQ(seen.headers[0].size(), 61u);
}

TEST(multipart_parser, a_part_that_arrives_in_one_feed_is_handed_out_where_it_lies) {
    // No copy of the part in the parser: the body is a view of the caller's bytes.
    const auto a = test::make_jpeg(64, 48, 1);
    const std::string stream = esp_part(a, 1, 1) + "\r\n--123456789000000000000987654321\r\n";
    const auto* first = reinterpret_cast<const std::uint8_t*>(stream.data());
    std::vector<const std::uint8_t*> where;
    multipart_parser parser(esp_boundary, 1 << 20, [&](std::span<const std::uint8_t> body, const part_headers&) {
        EXPECT_TRUE(std::equal(body.begin(), body.end(), a.begin(), a.end()));
        where.push_back(body.data());
    });
    parser.feed({first, stream.size()});
    ASSERT_EQ(where.size(), 1u);
    EXPECT_GE(where[0], first);
    EXPECT_LE(where[0] + a.size(), first + stream.size());
}

TEST(multipart_parser, each_part_has_only_its_own_headers_the_last_of_a_repeated_name_wins) {
    // The header map's nodes are reused from part to part: nothing of an earlier part may show.
    const auto a = test::make_jpeg(64, 48, 1), b = test::make_jpeg(64, 48, 2);
    const auto part = [](const bytes& jpeg, const std::string& extra) {
        return "--frame\r\nContent-Length: " + std::to_string(jpeg.size()) + "\r\n" + extra + "\r\n" + str(jpeg) + "\r\n";
    };
    const std::string stream = part(a, "X-Only-First: 1\r\nX-Both: first\r\nx-both: again\r\n") +
                               part(b, "X-Both: second\r\n") + part(a, "") + "--frame\r\n";
    for (std::size_t step : {stream.size(), std::size_t{7}}) {  // in one piece, and in small pieces
        parts_seen seen("frame");
        for (std::size_t i = 0; i < stream.size(); i += step) seen.feed(stream.substr(i, step));
        ASSERT_EQ(seen.bodies.size(), 3u);
        EXPECT_EQ(seen.bodies[0], a);
        EXPECT_EQ(seen.bodies[1], b);
        EXPECT_EQ(seen.bodies[2], a);
        EXPECT_EQ(seen.headers[0].size(), 3u);
        EXPECT_EQ(seen.headers[0].at("x-both"), "again");
        EXPECT_EQ(seen.headers[0].at("x-only-first"), "1");
        EXPECT_EQ(seen.headers[1].size(), 2u);
        EXPECT_EQ(seen.headers[1].at("x-both"), "second");
        EXPECT_EQ(seen.headers[1].count("x-only-first"), 0u);
        EXPECT_EQ(seen.headers[2].size(), 1u);
        EXPECT_EQ(seen.headers[2].at("content-length"), std::to_string(a.size()));
    }
}

TEST(multipart_parser, a_boundary_longer_than_rfc_2046s_70_characters_is_refused_with_the_reason) {
    const auto part_of = [](std::size_t n) { return std::string(n, 'b'); };
    EXPECT_NO_THROW(parts_seen(part_of(70)));
    EXPECT_NO_THROW(parts_seen("--" + part_of(70)));  // the dashes some servers put in the header do not count
    try {
        parts_seen seen(part_of(15000));
        FAIL() << "a 15,000-character boundary was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_STREQ(e.what(), "the multipart boundary is 15000 characters long; at most 70 are allowed (RFC 2046)");
    }
    EXPECT_THROW(parts_seen(part_of(71)), std::invalid_argument);
}

// The fastest of five runs of feeding `stream` in pieces of `step` bytes, in microseconds.
double best_parse_us(const std::string& boundary, const std::string& stream, std::size_t step) {
    double best = 1e300;
    for (int run = 0; run < 5; ++run) {
        parts_seen seen(boundary, stream.size());
        const auto started = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < stream.size(); i += step) seen.feed(stream.substr(i, step));
        best = std::min(best, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started).count());
    }
    return best;
}

TEST(multipart_parser, a_near_periodic_boundary_costs_no_more_per_byte_than_an_ordinary_one) {
    // A camera picks a boundary that almost repeats ("a--a--a…--aX": its delimiter "--a--a…X" has
    // period 3) and sends parts without Content-Length whose bodies are that period over and over.
    // A search that starts again at every position compares ~70 bytes at every third one: the
    // review's 15 KB boundary took 98 % of a core at 800 kB/s. Each byte must be looked at a
    // bounded number of times, in one feed or many, so the hostile body costs what a plain one does.
    std::string boundary = "a";
    while (boundary.size() < 67) boundary += "--a";
    boundary += "X";
    // The plain body has as many dashes, each followed by what the delimiter never has there.
    const auto stream_of = [&](const std::string& period) {
        std::string body;
        while (body.size() < 512 * 1024) body += period;
        return "--" + boundary + "\r\n\r\n" + body + "\r\n--" + boundary + "\r\n";
    };
    const auto hostile = stream_of("--a"), plain = stream_of("-zz");
    for (const std::size_t step : {hostile.size(), std::size_t{4096}, std::size_t{61}}) {
        const double h = best_parse_us(boundary, hostile, step), p = best_parse_us(boundary, plain, step);
        EXPECT_LT(h, 4 * p + 2000) << "pieces of " << step << " bytes: hostile " << h << " us, plain " << p << " us";
    }
}

}  // namespace
}  // namespace wscam
