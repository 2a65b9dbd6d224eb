#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>

namespace wscam {

/**
 * Who a client is, for limits: an IPv4 address, or the /64 an IPv6 address is in (one
 * host's usual share; a host can pick any address inside it). `bytes` is 4 or 16 bytes in
 * network order; an IPv4-mapped IPv6 address counts as its IPv4 address.
 */
std::string client_key(std::span<const unsigned char> bytes);

/**
 * Limits per client address, so that one address cannot take every connection or guess
 * tokens at network speed. Pure (no sockets), thread-safe.
 *
 * - Connections: a ticket per open connection, counted against the server's cap and the
 *   address's cap; handed from the HTTP connection to the WebSocket session it becomes.
 * - Wrong tokens: after `max_wrong_tokens` within `wrong_token_window`, every request from
 *   the address that presents a token is refused for `block` (even a right one: a guess
 *   must not be confirmed while blocked).
 */
class client_limits {
public:
    using clock = std::chrono::steady_clock;

    struct settings {
        std::size_t max_connections = 10000;
        std::size_t max_per_address = 64;  // 0 = no limit per address
        unsigned max_wrong_tokens = 10;
        clock::duration wrong_token_window = std::chrono::minutes(1);
        clock::duration block = std::chrono::minutes(1);
        std::size_t max_tracked = 4096;    // addresses remembered for wrong tokens
    };

    enum class refusal { none, server_full, address_full };

    /** One admitted connection; gives its place back when destroyed. Move-only. */
    class ticket {
    public:
        ticket() = default;
        ticket(ticket&& o) noexcept { *this = std::move(o); }
        ticket& operator=(ticket&& o) noexcept;
        ~ticket() { release(); }
        explicit operator bool() const { return owner_ != nullptr; }
        /** Why there is no place, when the ticket is empty. */
        refusal why() const { return why_; }
        const std::string& key() const { return key_; }

    private:
        friend class client_limits;
        void release();
        client_limits* owner_ = nullptr;
        std::string key_;
        refusal why_ = refusal::none;
    };

    explicit client_limits(settings s) : settings_(s) {}
    client_limits(const client_limits&) = delete;
    client_limits& operator=(const client_limits&) = delete;

    /** A place for a new connection from `key`, or an empty ticket saying why not. */
    ticket admit(const std::string& key);

    /** A request from `key` presented a wrong token; true when this one started a block (log it once). */
    bool wrong_token(const std::string& key, clock::time_point now);
    /** How long requests with a token from `key` are still refused (zero: not blocked). */
    clock::duration blocked_for(const std::string& key, clock::time_point now);

    std::size_t connections() const;
    std::size_t connections_from(const std::string& key) const;
    const settings& limits() const { return settings_; }

private:
    struct guesses {
        clock::time_point window_start;
        unsigned count = 0;
        clock::time_point blocked_until;
    };
    void forget_stale(clock::time_point now);

    settings settings_;
    mutable std::mutex mutex_;
    std::size_t total_ = 0;
    std::unordered_map<std::string, std::size_t> per_address_;
    std::unordered_map<std::string, guesses> guesses_;
};

}  // namespace wscam
