#include "core/text.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace wscam {
namespace {

TEST(sanitize_text, keeps_clean_utf8_as_it_is) {
    EXPECT_EQ(sanitize_text("Später – 503 €"), "Später – 503 €");
    EXPECT_EQ(sanitize_text(""), "");
}

TEST(sanitize_text, replaces_invalid_bytes_with_the_replacement_character) {
    // A camera's Latin-1 reason phrase ("Sp\xe4ter"): \xe4 alone is not UTF-8.
    EXPECT_EQ(sanitize_text("Sp\xe4ter"), "Sp\xEF\xBF\xBDter");
    EXPECT_EQ(sanitize_text("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD") << "overlong '/' is not valid";
    EXPECT_EQ(sanitize_text("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD") << "a UTF-16 surrogate is not valid";
    EXPECT_EQ(sanitize_text("\xF4\x90\x80\x80").substr(0, 3), "\xEF\xBF\xBD") << "above U+10FFFF";
}

TEST(sanitize_text, turns_control_characters_into_spaces_so_a_log_line_stays_one_line) {
    EXPECT_EQ(sanitize_text("a\nb\r\x1b[31mc\x7f"), "a b  [31mc ");
    EXPECT_EQ(sanitize_text("\xC2\x85x"), " x") << "C1 next-line";
}

TEST(sanitize_text, cuts_at_a_character_boundary_and_marks_the_cut) {
    // 31 ASCII bytes then a 3-byte euro: cutting at 32 bytes would split the euro.
    const std::string type = std::string(31, 'a') + "\xE2\x82\xAC";
    const auto cut = sanitize_text(type, 32);
    EXPECT_LE(cut.size(), 32u);
    EXPECT_TRUE(is_clean_text(cut));
    EXPECT_EQ(cut, std::string(29, 'a') + "\xE2\x80\xA6");
    EXPECT_EQ(sanitize_text(std::string(32, 'b'), 32), std::string(32, 'b')) << "exactly fitting text is not cut";
    EXPECT_EQ(sanitize_text(std::string(100000, 'x')).size(), max_outside_text_bytes);
}

TEST(sanitize_text, its_output_always_serialises_as_json) {
    // Every single byte and every pair of high bytes, alone and cut at every length.
    for (int a = 0; a < 256; ++a)
        for (int b = 128; b < 256; b += 7) {
            const std::string in{static_cast<char>(a), static_cast<char>(b), 'z'};
            for (std::size_t max = 0; max <= 5; ++max) {
                const auto out = sanitize_text(in, max);
                ASSERT_LE(out.size(), max);
                ASSERT_TRUE(is_clean_text(out));
                ASSERT_NO_THROW((void)nlohmann::json(out).dump());
            }
        }
}

TEST(json_text, replaces_invalid_utf8_instead_of_throwing) {
    const nlohmann::json j = {{"reason", "Sp\xe4ter"}};
    EXPECT_THROW((void)j.dump(), nlohmann::json::type_error) << "nlohmann's default would throw";
    EXPECT_EQ(to_json_text(j), "{\"reason\":\"Sp\xEF\xBF\xBDter\"}");
}

}  // namespace
}  // namespace wscam
