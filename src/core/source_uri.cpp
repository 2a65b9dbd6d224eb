#include "core/source_uri.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>
#include <stdexcept>

#include "core/fail_with.hpp"
#include "core/redaction.hpp"

namespace wscam {
namespace {

bool is_network_scheme(const std::string& s) {
    return s == "http" || s == "https" || s == "ws" || s == "wss";
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%') {
            if (i + 2 >= in.size()) return std::nullopt;
            const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (in[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(in[i]);
        }
    }
    return out;
}

std::optional<source_uri> source_uri::parse(std::string_view text, std::string* error) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        fail_with(error, "source '" + std::string(text) +
                        "' has no scheme; write e.g. testsrc:, v4l2:/dev/video0, http://host/stream");
        return std::nullopt;
    }
    source_uri uri;
    uri.scheme.assign(text.substr(0, colon));
    for (char c : uri.scheme)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
            fail_with(error, "source '" + std::string(text) + "' has an invalid scheme");
            return std::nullopt;
        }
    std::transform(uri.scheme.begin(), uri.scheme.end(), uri.scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });

    if (is_network_scheme(uri.scheme)) {
        uri.target.assign(text);
        return uri;
    }
    const std::string_view rest = text.substr(colon + 1);
    // A command line is taken whole: its '?' and '&' belong to the program's arguments.
    if (uri.scheme == "exec") {
        uri.target.assign(rest);
        return uri;
    }
    const auto q = rest.find('?');
    uri.target.assign(rest.substr(0, q));
    if (q == std::string_view::npos) return uri;

    std::string_view query = rest.substr(q + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto key = percent_decode(pair.substr(0, eq));
        auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
        if (!key || !value || key->empty()) {
            fail_with(error, "source '" + std::string(text) + "' has a malformed parameter '" + std::string(pair) + "'");
            return std::nullopt;
        }
        uri.params[*key] = *value;
    }
    return uri;
}

std::optional<std::string> source_uri::param(const std::string& key) const {
    auto it = params.find(key);
    if (it == params.end()) return std::nullopt;
    return it->second;
}

double source_uri::number(const std::string& key, double fallback, double lo, double hi) const {
    const auto v = param(key);
    if (!v) return fallback;
    double d = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
    if (ec != std::errc{} || end != v->data() + v->size() || d < lo || d > hi) {
        std::ostringstream m;
        m << scheme << ": " << key << "=" << *v << " must be a number from " << lo << " to " << hi;
        throw std::invalid_argument(m.str());
    }
    return d;
}

std::string source_uri::redacted() const {
    std::string out = scheme + ":";
    if (is_network_scheme(scheme)) {
        // scheme://user:pass@host/... -> scheme://***@host/...; drop the query (it may carry a token)
        std::string url = target;
        const auto start = url.find("://");
        const auto host_start = start == std::string::npos ? 0 : start + 3;
        const auto path = url.find('/', host_start);
        const auto at = url.rfind('@', path == std::string::npos ? url.size() : path);
        if (at != std::string::npos && at >= host_start) url = url.substr(0, host_start) + "***" + url.substr(at);
        const auto q = url.find('?');
        if (q != std::string::npos) url = url.substr(0, q) + "?…";
        return url;
    }
    if (scheme == "exec") return out + redact_command_line(target);
    out += target;
    char sep = '?';
    for (const auto& [k, v] : params) {
        out += sep;
        out += k;
        out += '=';
        out += is_secret_name(k) ? "***" : v;
        sep = '&';
    }
    return out;
}

}  // namespace wscam
