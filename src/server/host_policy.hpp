#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/host_header.hpp"

namespace wscam {

/**
 * The names this server answers to, against DNS rebinding: a page from http://evil.example
 * whose name the attacker then points at the camera's address is, to the browser, of the same
 * origin as the camera. Its requests say `Host: evil.example` and `Origin: http://evil.example`,
 * which agree, so origin_refusal cannot tell; only the Host can, because the attacker's name is
 * never one of the server's. Allowed: IP literals (nothing to re-point), `localhost`, and the
 * names given here — this machine's (gethostname, NAME.local), the certificate's, and
 * `--allowed-host` — each exact or `*.suffix` (any name below it); `*` allows every Host.
 * Case-insensitive. Pure: unit-tested and fuzzed.
 */
class host_allow_list {
public:
    host_allow_list() = default;
    explicit host_allow_list(const std::vector<std::string>& names);

    bool allows(const host_authority& host) const;
    const std::vector<std::string>& names() const { return names_; }

private:
    std::vector<std::string> names_;     // exact names, lower case, no trailing dot
    std::vector<std::string> suffixes_;  // ".example.com" for "*.example.com"
    bool any_ = false;
};

/** Whether `name` may be given to --allowed-host: a host name or address without a port, `*.` and a name, or `*`. */
bool valid_allowed_host(std::string_view name);

/** Why a request is refused for its Host, and with which status. */
struct host_refusal {
    int status;  // 400: not a host at all; 421 (Misdirected Request): a name that is not ours
    std::string reason;
};

/**
 * nullopt when a request with this `Host` header may reach camera data or controls; else why
 * not, in words that name the option to set. No header at all is allowed: every browser sends
 * one, so its absence is a script's (HTTP/1.0).
 */
std::optional<host_refusal> check_host(std::string_view host_header, const host_allow_list& allowed);

/** This machine's names as a browser on the LAN may address it: the host name and NAME.local. */
std::vector<std::string> machine_names();

}  // namespace wscam
