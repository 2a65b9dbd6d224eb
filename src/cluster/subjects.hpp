#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace wscam::cluster {

/**
 * Makes any text a single NATS subject token: keeps [A-Za-z0-9_-] and turns every other byte,
 * '%' included, into %XX (uppercase hex). A '.', '*', '>', space or line break can then never
 * split, widen or corrupt a subject (nats.c does not check subjects on publish).
 */
std::string escape_token(std::string_view text);

/**
 * Reverses escape_token. Only what escape_token produces is accepted (a raw byte it would have
 * escaped, a short or lowercase %XX, or an escaped byte it would have kept: nullopt), so one
 * text has exactly one token.
 */
std::optional<std::string> unescape_token(std::string_view token);

/** The subjects the nodes of one cluster talk on (docs: design §4.3). */
struct subjects {
    std::string prefix = "wscam";

    /** Every node's heartbeat: the streams it owns and the ones it watches. */
    std::string announce() const;
    /** A stream's frames, from its owner. */
    std::string frame(std::string_view stream) const;
    /** A stream's control list and changed values, from its owner. */
    std::string controls(std::string_view stream) const;
    /** Control requests for a stream, to its owner. */
    std::string control(std::string_view stream) const;
    /** controls() of every stream (one wildcard subscription). */
    std::string all_controls() const;
    /** control() of every stream (one wildcard subscription). */
    std::string all_control() const;

    /**
     * The stream a subject `<prefix>.<kind>.<token>` is about, unescaped; nullopt for any other
     * subject (another prefix or kind, an empty token, more tokens, a bad escape). The result is
     * not checked as a stream name.
     */
    std::optional<std::string> stream_of(std::string_view subject, std::string_view kind) const;

private:
    std::string for_stream(std::string_view kind, std::string_view stream) const;
};

}  // namespace wscam::cluster
