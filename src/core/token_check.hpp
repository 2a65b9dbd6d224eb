#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace wscam {

/**
 * What a request must bring to watch or control a stream: nothing, a token, or (for a stream
 * another node owns) a verifier of the owner's token.
 *
 * A verifier travels in the owner's announce instead of the token, because everyone on the
 * cluster's NATS reads announces: `pbkdf2-sha256$10000$<32 hex salt>$<64 hex hash>`, PBKDF2-
 * HMAC-SHA256 of the token with a random salt. Checking a token against one costs ~3 ms (a
 * guess offline costs the same, so long random tokens stay safe; the wrong-token brake limits
 * guesses online); the last token that matched and the last that did not are remembered (their
 * SHA-256), so a viewer's reconnects cost a hash, and so does a list of streams that share the
 * owner's verifier (the owner announces one verifier per distinct token).
 *
 * Cheap to copy (a verifier is shared); thread-safe.
 */
class token_check {
public:
    /** Nothing required. */
    token_check() = default;
    /** The token itself (this node's configuration); empty requires nothing. */
    static token_check token(std::string token);
    /** Required, and no token matches (a stream whose owner's requirement could not be read: closed, not open). */
    static token_check nobody();
    /** A verifier as announced; nullopt if the text is not one (another form, count, length or digit). */
    static std::optional<token_check> verifier(std::string_view text);

    /** Whether a token is needed at all. */
    bool required() const;
    /** True when nothing is required or `given` is the token (compared in constant time). */
    bool matches(std::string_view given) const;
    /**
     * For a verifier, what identifies it (checks made from the same verifier share it, and
     * their cache): a request that may compare one token with many verifiers counts the
     * distinct ones it tried. Null for anything else (a comparison that costs nothing).
     */
    const void* costly_identity() const { return verifier_.get(); }

    struct verifier_state;

private:
    std::string token_;
    std::shared_ptr<verifier_state> verifier_;
    bool nobody_ = false;
};

/** A verifier of `token` (a new random salt each call), for the owner's announce. */
std::string make_token_verifier(std::string_view token);

}  // namespace wscam
