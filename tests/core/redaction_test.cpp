#include "core/redaction.hpp"

#include <gtest/gtest.h>

namespace wscam {
namespace {

TEST(redaction, url_credentials_and_secret_named_values) {
    EXPECT_EQ(redact_command_line("ffmpeg -i rtsp://admin:hunter2@cam:554/live -f mjpeg -"),
              "ffmpeg -i rtsp://***@cam:554/live -f mjpeg -");
    EXPECT_EQ(redact_command_line("ffmpeg -i 'rtsp://a:b@c@cam/x' -"), "ffmpeg -i 'rtsp://***@cam/x' -");
    EXPECT_EQ(redact_command_line("curl 'http://cam/s?token=abc&size=VGA' --password=x api_key=k other=1"),
              "curl 'http://cam/s?token=***&size=VGA' --password=*** api_key=*** other=1");
    EXPECT_EQ(redact_command_line("ffmpeg -i http://cam/stream -vf scale=320:-1"), "ffmpeg -i http://cam/stream -vf scale=320:-1");
    EXPECT_EQ(redact_command_line("x rtsp://@ =a token= ://"), "x rtsp://***@ =a token=*** ://");
}

TEST(redaction, the_value_after_an_option_that_carries_a_secret) {
    // /api/streams and the log showed these in full (issue 21).
    EXPECT_EQ(redact_command_line("curl -u admin:hunter2 http://cam/s"), "curl -u *** http://cam/s");
    EXPECT_EQ(redact_command_line("curl --user 'admin:hunter 2' http://cam/s"), "curl --user *** http://cam/s");
    EXPECT_EQ(redact_command_line("curl --user=admin:hunter2 -uadmin:hunter3 x"), "curl --user=*** -u*** x");
    EXPECT_EQ(redact_command_line("wget --password hunter2 --http-password=h3 --pass h4 x"),
              "wget --password *** --http-password=*** --pass *** x");
    EXPECT_EQ(redact_command_line("sshpass -p hunter2 ssh cam"), "sshpass -p *** ssh cam");
    EXPECT_EQ(redact_command_line("curl --proxy-user u:hunter2 --cookie 'a=b; c=d' --oauth2-bearer T x"),
              "curl --proxy-user *** --cookie *** --oauth2-bearer *** x");
    // An option after an option is no value: it is judged itself (--anyauth takes none).
    EXPECT_EQ(redact_command_line("curl --anyauth -u admin:hunter2 x"), "curl --anyauth -u *** x");
    // Options that only look alike are left alone.
    EXPECT_EQ(redact_command_line("ffmpeg -user_agent 'Mozilla/5.0 (X11)' -c:v mjpeg -q:v 5 -pix_fmt yuvj420p -"),
              "ffmpeg -user_agent 'Mozilla/5.0 (X11)' -c:v mjpeg -q:v 5 -pix_fmt yuvj420p -");
}

TEST(redaction, secret_header_values_up_to_the_end_of_the_quoted_word_or_line) {
    EXPECT_EQ(redact_command_line("curl -H 'Authorization: Basic YWRtaW46aHVudGVyMg==' http://cam/"),
              "curl -H 'Authorization: ***' http://cam/");
    EXPECT_EQ(redact_command_line("ffmpeg -headers \"Authorization: Bearer abc\\r\\nCookie: s=1\\r\\nX-Other: 2\\r\\n\" -i x"),
              "ffmpeg -headers \"Authorization: ***\\r\\nCookie: ***\\r\\nX-Other: 2\\r\\n\" -i x");
    EXPECT_EQ(redact_command_line("curl -H 'X-Api-Key: k1' -H Proxy-Authorization:Basic\\ x -H 'Accept: */*'"),
              "curl -H 'X-Api-Key: ***' -H Proxy-Authorization:*** -H 'Accept: */*'");
}

TEST(redaction, log_lines_with_unclosed_quotes_are_words_too) {
    EXPECT_EQ(redact_command_line("can't open rtsp://u:p@cam/x: token: abc"), "can't open rtsp://***@cam/x: token: ***");
    // curl -v writes the request's headers to stderr, which goes to the log.
    EXPECT_EQ(redact_command_line("> Authorization: Basic YWRtaW46aHVudGVyMg==\n> Host: cam"),
              "> Authorization: *** ***\n> Host: cam");
    EXPECT_EQ(redact_command_line(""), "");
    EXPECT_EQ(redact_command_line("-u"), "-u");
    EXPECT_EQ(redact_command_line("  -p   x  "), "  -p   ***  ");
}

TEST(redaction, secret_names) {
    for (const char* name : {"token", "view_token", "--password", "PASS", "secret", "Authorization", "Cookie", "api_key",
                             "X-Api-Key", "-u", "-p", "--user", "--proxy-user", "http_user", "credentials"})
        EXPECT_TRUE(is_secret_name(name)) << name;
    for (const char* name : {"size", "fps", "-i", "-c", "user_agent", "keyint", "Accept", "host", "-vf", ""})
        EXPECT_FALSE(is_secret_name(name)) << name;
}

}  // namespace
}  // namespace wscam
