#include "server/tls_redirect.hpp"

#include "server/host_header.hpp"

namespace wscam {

std::optional<std::string> https_location(std::string_view host_header, std::string_view target) {
    const auto host = parse_host_header(host_header);
    if (!host || !target.starts_with('/')) return std::nullopt;
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '\\') return std::nullopt;
    }
    // One slash after the host: "https://host//evil.example/" reads as a path, but a browser
    // or a proxy that drops the scheme and host would take "//evil.example/" as a host.
    while (target.size() > 1 && target[1] == '/') target.remove_prefix(1);
    return "https://" + host->text() + std::string(target);
}

}  // namespace wscam
