#include "core/token_check.hpp"

#include <gtest/gtest.h>

#include <regex>

using wscam::make_token_verifier;
using wscam::token_check;

TEST(token_check, nothing_required_matches_anything) {
    const token_check none;
    EXPECT_FALSE(none.required());
    EXPECT_TRUE(none.matches(""));
    EXPECT_TRUE(none.matches("whatever"));
    EXPECT_FALSE(token_check::token("").required());
}

TEST(token_check, a_token_matches_itself_only) {
    const auto c = token_check::token("s3cret");
    EXPECT_TRUE(c.required());
    EXPECT_TRUE(c.matches("s3cret"));
    EXPECT_FALSE(c.matches("s3cre"));
    EXPECT_FALSE(c.matches("s3cret!"));
    EXPECT_FALSE(c.matches(""));
}

TEST(token_check, a_verifier_matches_its_token_and_never_holds_it) {
    const auto text = make_token_verifier("view-9f2c1e");
    EXPECT_TRUE(std::regex_match(text, std::regex(R"(pbkdf2-sha256\$10000\$[0-9a-f]{32}\$[0-9a-f]{64})"))) << text;
    EXPECT_EQ(text.find("view-9f2c1e"), std::string::npos);
    EXPECT_NE(make_token_verifier("view-9f2c1e"), text) << "a new salt each time";
    const auto c = token_check::verifier(text);
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->required());
    EXPECT_FALSE(c->matches(""));
    EXPECT_FALSE(c->matches("view-9f2c1f"));
    EXPECT_FALSE(c->matches("view-9f2c1f")) << "the same miss again (remembered)";
    EXPECT_TRUE(c->matches("view-9f2c1e"));
    EXPECT_TRUE(c->matches("view-9f2c1e")) << "again (remembered)";
    EXPECT_FALSE(c->matches("view-9f2c1f")) << "a miss after a match";
    const auto copy = *c;
    EXPECT_TRUE(copy.matches("view-9f2c1e"));
}

TEST(token_check, only_the_exact_verifier_form_is_read) {
    const auto good = make_token_verifier("t");
    ASSERT_TRUE(token_check::verifier(good));
    for (const std::string& bad : {std::string(), std::string("t"), good.substr(1), good + "0", good.substr(0, good.size() - 1),
                                  std::string("pbkdf2-sha256$100$") + good.substr(20),  // another iteration count
                                  std::string("pbkdf2-sha256$1000000$") + good.substr(20)}) {
        EXPECT_FALSE(token_check::verifier(bad)) << bad;
    }
    auto upper = good;
    upper[20] = upper[20] >= 'a' ? static_cast<char>(upper[20] - 32) : 'G';
    EXPECT_FALSE(token_check::verifier(upper)) << upper;
}

TEST(token_check, nobody_is_required_and_matches_nothing) {
    const auto c = token_check::nobody();
    EXPECT_TRUE(c.required());
    EXPECT_FALSE(c.matches(""));
    EXPECT_FALSE(c.matches("anything"));
}

// The form is PBKDF2-HMAC-SHA256 with 10,000 iterations, salt and hash in hex: a verifier made
// elsewhere (here by Python's hashlib.pbkdf2_hmac('sha256', b'view-9f2c1e', bytes(range(16)),
// 10000)) is read the same way, and a new salt gives a new hash for the same token.
TEST(token_check, a_verifier_is_standard_pbkdf2_with_its_own_salt) {
    const auto c = token_check::verifier(
        "pbkdf2-sha256$10000$000102030405060708090a0b0c0d0e0f$"
        "a03557114e9ae692bb45c39459b7d3e4469d48a549fd0c071e1129145e194b69");
    ASSERT_TRUE(c);
    EXPECT_TRUE(c->matches("view-9f2c1e"));
    EXPECT_FALSE(c->matches("view-9f2c1E"));
    const auto a = make_token_verifier("view-9f2c1e"), b = make_token_verifier("view-9f2c1e");
    EXPECT_NE(a.substr(a.rfind('$')), b.substr(b.rfind('$'))) << "the salt goes into the hash";
}
