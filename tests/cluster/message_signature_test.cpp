#include "cluster/message_signature.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace wscam::cluster {
namespace {

const std::vector<std::uint8_t> body{1, 2, 3, 255};
const signed_parts parts{"wscam.frame.cam", "", "A", "1700000000000000", "1700000000", body};
const std::string secret = "0123456789abcdef0123456789abcdef";

TEST(message_signature, is_64_hex_digits_and_matches_only_its_message_and_secret) {
    const auto sig = sign_message(secret, parts);
    ASSERT_EQ(sig.size(), 64u);
    EXPECT_EQ(sig.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_TRUE(signature_matches(secret, parts, sig));
    EXPECT_FALSE(signature_matches(secret + "x", parts, sig)) << "another cluster's secret";
    EXPECT_FALSE(signature_matches(secret, parts, sig.substr(1))) << "cut";
    EXPECT_FALSE(signature_matches(secret, parts, sig + "0")) << "lengthened";
    EXPECT_FALSE(signature_matches(secret, parts, "")) << "none";
    auto other = parts;
    other.subject = "wscam.frame.cam2";
    EXPECT_FALSE(signature_matches(secret, other, sig)) << "another stream's subject";
    other = parts;
    other.reply = "_INBOX.x";
    EXPECT_FALSE(signature_matches(secret, other, sig)) << "another reply subject";
    other = parts;
    other.node = "B";
    EXPECT_FALSE(signature_matches(secret, other, sig)) << "another node";
    other = parts;
    other.epoch = "1700000000000001";
    EXPECT_FALSE(signature_matches(secret, other, sig)) << "another run";
    other = parts;
    other.time = "1700000001";
    EXPECT_FALSE(signature_matches(secret, other, sig)) << "another time";
    const std::vector<std::uint8_t> changed{1, 2, 3, 254};
    other = parts;
    other.body = changed;
    EXPECT_FALSE(signature_matches(secret, other, sig)) << "another payload";
}

// Parts are length-prefixed: moving bytes from one part to the next makes another signature.
TEST(message_signature, no_two_messages_share_a_text) {
    const signed_parts a{"wscam.frame.ab", "", "A", "1", "1", {}};
    const signed_parts b{"wscam.frame.a", "b", "A", "1", "1", {}};
    EXPECT_NE(sign_message(secret, a), sign_message(secret, b));
}

}  // namespace
}  // namespace wscam::cluster
