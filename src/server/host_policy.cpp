#include "server/host_policy.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace wscam {
namespace {

std::string normalised(std::string_view name) {
    std::string out;
    for (const char c : name) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (out.size() > 1 && out.back() == '.') out.pop_back();
    return out;
}

}  // namespace

host_allow_list::host_allow_list(const std::vector<std::string>& names) {
    for (const auto& given : names) {
        const auto name = normalised(given);
        if (name.empty()) continue;
        if (name == "*")
            any_ = true;
        else if (name.starts_with("*.") && name.size() > 2)
            suffixes_.push_back(name.substr(1));
        names_.push_back(name);
    }
}

bool host_allow_list::allows(const host_authority& h) const {
    if (any_ || h.ip_literal || h.host == "localhost") return true;
    if (std::find(names_.begin(), names_.end(), h.host) != names_.end()) return true;
    return std::any_of(suffixes_.begin(), suffixes_.end(), [&](const std::string& s) {
        return h.host.size() > s.size() && h.host.compare(h.host.size() - s.size(), s.size(), s) == 0;
    });
}

bool valid_allowed_host(std::string_view name) {
    if (name == "*") return true;
    if (name.starts_with("*.")) name.remove_prefix(2);
    const auto h = parse_host_header(name);
    return h && !h->port;
}

std::optional<host_refusal> check_host(std::string_view host_header, const host_allow_list& allowed) {
    if (host_header.empty()) return std::nullopt;
    const auto host = parse_host_header(host_header);
    if (!host)
        return host_refusal{400, "bad Host header '" + sanitize_text(host_header, 100) +
                                     "': expected a host name or address, and an optional :port"};
    if (allowed.allows(*host)) return std::nullopt;
    return host_refusal{421, "Host " + host->host +
                                 " is not a name of this server (a web page elsewhere may be reaching the camera through "
                                 "a browser with a re-pointed name: DNS rebinding); if it is this server's name, start "
                                 "wscam with --allowed-host " +
                                 host->host};
}

std::vector<std::string> machine_names() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return {};
    const std::string host = normalised(name);
    std::vector<std::string> out{host};
    // mDNS (Avahi, Bonjour) answers for the host's first label under .local.
    const std::string label = host.substr(0, host.find('.'));
    out.push_back(label + ".local");
    if (label != host) out.push_back(label);
    return out;
}

}  // namespace wscam
