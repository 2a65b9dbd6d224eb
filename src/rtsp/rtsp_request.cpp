#include "rtsp/rtsp_request.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "core/stream.hpp"
#include "server/router.hpp"

namespace wscam::rtsp {
namespace {

bool fail(std::string* why, const char* text) {
    if (why) *why = text;
    return false;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

// Basic credentials are at most this long: a token is at most a few hundred bytes (and base64 a third more).
constexpr std::size_t max_basic_chars = 4096;

}  // namespace

std::optional<rtsp_target> parse_target(std::string_view abspath, std::string* why) {
    if (abspath.empty() || abspath.front() != '/') {
        fail(why, "the URL has no path: use rtsp://HOST:PORT/NAME");
        return std::nullopt;
    }
    abspath.remove_prefix(1);
    const auto slash = abspath.find('/');
    rtsp_target t;
    t.stream = std::string(abspath.substr(0, slash));
    if (slash != std::string_view::npos) {
        t.control = std::string(abspath.substr(slash + 1));
        if (t.control.find('/') != std::string::npos) {
            fail(why, "the URL's path has more than a stream and its track");
            return std::nullopt;
        }
    }
    if (t.stream.empty()) {
        fail(why, "the URL names no stream: use rtsp://HOST:PORT/NAME");
        return std::nullopt;
    }
    if (!stream_registry::valid_name(t.stream)) {
        fail(why, "not a stream name (1-64 letters, digits, '_' or '-')");
        return std::nullopt;
    }
    return t;
}

std::string mount_path(const std::string& stream) { return "/" + stream; }

std::optional<std::string> basic_password(std::string_view authorization) {
    while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
    const auto space = authorization.find(' ');
    if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "Basic")) return std::nullopt;
    std::string_view b64 = authorization.substr(space + 1);
    while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
    while (!b64.empty() && b64.back() == ' ') b64.remove_suffix(1);
    if (b64.empty() || b64.size() % 4 != 0 || b64.size() > max_basic_chars) return std::nullopt;
    // OpenSSL's decoder takes any byte it does not know as an error, but '=' anywhere: only at the end here.
    const auto pad = b64.find('=');
    if (pad != std::string_view::npos && (b64.size() - pad > 2 || b64.find_first_not_of('=', pad) != std::string_view::npos))
        return std::nullopt;
    std::string plain(b64.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(plain.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding's bytes as zeros.
    const auto padding = static_cast<std::size_t>(std::count(b64.end() - 2, b64.end(), '='));
    plain.resize(static_cast<std::size_t>(n) - padding);
    const auto colon = plain.find(':');
    if (colon == std::string::npos) return std::nullopt;
    return plain.substr(colon + 1);
}

std::string presented_token(std::string_view authorization, std::string_view query) {
    if (auto password = basic_password(authorization); password && !password->empty()) return *password;
    if (query.empty()) return {};
    return query_param("?" + std::string(query), "token");
}

}  // namespace wscam::rtsp
