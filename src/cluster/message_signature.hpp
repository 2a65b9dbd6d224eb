#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wscam::cluster {

/**
 * What a cluster message proves with `--cluster-secret-file`: HMAC-SHA256, keyed with the
 * cluster's secret, of everything a receiver acts on (subject, reply subject, the Wscam-Node
 * and Wscam-Epoch headers, the sending time, the payload), each part length-prefixed so that
 * no two messages share a text. Without the secret, reading an announce is not enough to pose
 * as its node. Pure.
 */
struct signed_parts {
    std::string_view subject, reply, node, epoch, time;
    std::span<const std::uint8_t> body;
};

/** The signature, 64 lowercase hex digits (the Wscam-Sig header). */
std::string sign_message(std::string_view secret, const signed_parts& parts);

/** Whether `signature` is the message's (compared in constant time). */
bool signature_matches(std::string_view secret, const signed_parts& parts, std::string_view signature);

/** How far a signed message's time (Wscam-Time, unix seconds) may be from ours: a replay ages out. */
inline constexpr std::int64_t max_signature_age_s = 60;

}  // namespace wscam::cluster
