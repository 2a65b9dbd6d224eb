#include "cluster/subjects.hpp"

#include <cstdint>

namespace wscam::cluster {
namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

bool kept(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;  // lowercase too: escape_token writes uppercase only
}

}  // namespace

std::string escape_token(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        if (kept(c)) {
            out += c;
            continue;
        }
        const auto b = static_cast<std::uint8_t>(c);
        out += '%';
        out += hex_digits[b >> 4];
        out += hex_digits[b & 0x0F];
    }
    return out;
}

std::optional<std::string> unescape_token(std::string_view token) {
    std::string out;
    out.reserve(token.size());
    for (std::size_t i = 0; i < token.size(); ++i) {
        if (kept(token[i])) {
            out += token[i];
            continue;
        }
        if (token[i] != '%' || token.size() - i < 3) return std::nullopt;
        const int hi = hex_value(token[i + 1]);
        const int lo = hex_value(token[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        const char c = static_cast<char>(hi * 16 + lo);
        if (kept(c)) return std::nullopt;  // escape_token would have kept it as it is
        out += c;
        i += 2;
    }
    return out;
}

std::string subjects::for_stream(std::string_view kind, std::string_view stream) const {
    std::string s = prefix;
    s += '.';
    s += kind;
    s += '.';
    s += escape_token(stream);
    return s;
}

std::string subjects::announce() const { return prefix + ".announce"; }
std::string subjects::frame(std::string_view stream) const { return for_stream("frame", stream); }
std::string subjects::controls(std::string_view stream) const { return for_stream("controls", stream); }
std::string subjects::control(std::string_view stream) const { return for_stream("control", stream); }
std::string subjects::all_controls() const { return prefix + ".controls.*"; }
std::string subjects::all_control() const { return prefix + ".control.*"; }

std::optional<std::string> subjects::stream_of(std::string_view subject, std::string_view kind) const {
    // <prefix>.<kind>.<token>, where the token has no '.' (an escaped one would be %2E).
    if (subject.size() < prefix.size() + kind.size() + 2 || !subject.starts_with(prefix)) return std::nullopt;
    subject.remove_prefix(prefix.size());
    if (subject.front() != '.') return std::nullopt;
    subject.remove_prefix(1);
    if (!subject.starts_with(kind)) return std::nullopt;
    subject.remove_prefix(kind.size());
    if (subject.empty() || subject.front() != '.') return std::nullopt;
    subject.remove_prefix(1);
    if (subject.empty()) return std::nullopt;
    return unescape_token(subject);  // a '.', '*' or '>' in it is not kept: nullopt
}

}  // namespace wscam::cluster
