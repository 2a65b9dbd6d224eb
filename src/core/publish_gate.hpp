#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace wscam {

/** Compares a secret in constant time; an empty `expected` matches anything. */
bool token_matches(std::string_view expected, std::string_view given);

/** A connection that publishes frames into a stream (a camera that dials out). */
class publisher {
public:
    virtual ~publisher() = default;
    /** Asked to leave (another publisher took over, the stream stopped); posts its close. */
    virtual void kick(const std::string& reason) = 0;
};

/**
 * Who may publish into a `push:` stream: the token (if any) and one publisher at a time.
 * A second publisher is refused, or replaces the first when takeover is on.
 */
class publish_gate {
public:
    publish_gate(std::string token, bool takeover) : token_(std::move(token)), takeover_(takeover) {}

    bool requires_token() const { return !token_.empty(); }

    /** Compares in constant time so the token cannot be guessed byte by byte. */
    bool token_ok(std::string_view given) const;

    /** Makes `p` the publisher; returns an empty string, or why it is refused. */
    std::string claim(const std::shared_ptr<publisher>& p);

    /** `p` left; the stream has no publisher unless another one claimed it meanwhile. */
    bool release(const publisher* p);

    bool has_publisher() const;

    /**
     * The stream stops taking publishers (its source was stopped or replaced): the current one
     * is told to leave with `reason`, and claim() refuses from now on.
     */
    void close(const std::string& reason);

private:
    std::string token_;
    bool takeover_;
    mutable std::mutex mutex_;
    std::weak_ptr<publisher> current_;
    const publisher* current_id_ = nullptr;
    std::string closed_;  // why claims are refused; empty while open
};

}  // namespace wscam
