#include "sources/network_url.hpp"

// Boost.URL is used header-only: its implementation is compiled into this one file.
#include <boost/url/parse.hpp>
#include <boost/url/src.hpp>
#include <boost/url/url_view.hpp>
#include <openssl/evp.h>

namespace wscam {

std::optional<network_url> parse_network_url(const std::string& text, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<network_url> {
        if (error) *error = "'" + text + "': " + why;
        return std::nullopt;
    };
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return fail(parsed.error().message());
    const boost::urls::url_view u = *parsed;
    network_url out;
    out.scheme = std::string(u.scheme());
    for (auto& c : out.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (out.scheme != "http" && out.scheme != "https" && out.scheme != "ws" && out.scheme != "wss")
        return fail("scheme must be http, https, ws or wss");
    if (!u.has_authority() || u.host().empty()) return fail("no host");
    out.host = u.host_type() == boost::urls::host_type::ipv6 ? std::string(u.encoded_host_address())
                                                             : std::string(u.host());
    if (u.has_port()) {
        if (u.port_number() == 0) return fail("invalid port");
        out.port = u.port_number();
    } else {
        out.port = out.tls() ? 443 : 80;
    }
    if (u.has_userinfo()) {
        out.user = std::string(u.user());
        out.password = std::string(u.password());
    }
    out.target = std::string(u.encoded_path());
    if (out.target.empty()) out.target = "/";
    if (u.has_query()) out.target += "?" + std::string(u.encoded_query());
    if (u.has_fragment()) out.fragment = std::string(u.fragment());
    return out;
}

std::optional<std::string> network_url::fragment_option(std::string_view name) const {
    std::optional<std::string> found;
    bool in_name = false;  // the last option was `name=...`: a '&' not followed by a flag continues it
    std::string_view rest = fragment;
    while (true) {
        const auto amp = rest.find('&');
        const std::string_view token = rest.substr(0, amp);
        if (token == "insecure") {
            in_name = false;
            if (name == token) found = std::string();
        } else if (token.size() > name.size() && token.substr(0, name.size()) == name && token[name.size()] == '=') {
            in_name = true;
            found = std::string(token.substr(name.size() + 1));
        } else if (token.find('=') != std::string_view::npos && token.substr(0, token.find('=')) == "control") {
            in_name = false;
        } else if (in_name) {
            *found += "&";
            *found += token;
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return found;
}

std::string network_url::host_header() const {
    const bool v6 = host.find(':') != std::string::npos;
    const std::string h = v6 ? "[" + host + "]" : host;
    const bool default_port = port == (tls() ? 443 : 80);
    return default_port ? h : h + ":" + std::to_string(port);
}

std::string network_url::redacted() const {
    std::string target_shown = target.substr(0, target.find('?'));
    if (target_shown.size() != target.size()) target_shown += "?…";
    return scheme + "://" + (user.empty() ? "" : "***@") + host_header() + target_shown;
}

std::string basic_auth(const network_url& url) {
    const std::string plain = url.user + ":" + url.password;
    std::string out(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
    out.resize(static_cast<std::size_t>(n));
    return "Basic " + out;
}

}  // namespace wscam
