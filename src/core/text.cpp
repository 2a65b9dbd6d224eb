#include "core/text.hpp"

#include <cstdint>

namespace wscam {
namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view ellipsis = "\xE2\x80\xA6";     // U+2026

// Length of the valid UTF-8 sequence at the start of `s` (1-4), or 0 if it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are not valid).
std::size_t utf8_sequence(std::string_view s) {
    const auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
    const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
    const std::uint8_t c = b(0);
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
        if (c == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogates
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
        if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
        return 4;
    }
    return 0;
}

bool is_control(std::string_view seq) {
    const auto c = static_cast<std::uint8_t>(seq[0]);
    if (seq.size() == 1) return c < 0x20 || c == 0x7F;
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    return seq.size() == 2 && c == 0xC2 && static_cast<std::uint8_t>(seq[1]) < 0xA0;
}

}  // namespace

std::string sanitize_text(std::string_view in, std::size_t max_bytes) {
    // Every input byte yields at least one output byte, so a few bytes past the limit are
    // enough to know whether the text must be cut; the rest is never looked at.
    in = in.substr(0, std::min(in.size(), max_bytes + 4));
    std::string out;
    out.reserve(in.size());
    std::size_t last_fit = 0;  // where the text may be cut so that the ellipsis still fits
    while (!in.empty()) {
        const std::size_t n = utf8_sequence(in);
        std::string_view piece = n ? in.substr(0, n) : replacement;
        if (n && is_control(piece)) piece = " ";
        in.remove_prefix(n ? n : 1);
        if (out.size() + ellipsis.size() <= max_bytes) last_fit = out.size();
        out += piece;
    }
    if (out.size() > max_bytes) {
        out.resize(last_fit);
        if (max_bytes >= ellipsis.size()) out += ellipsis;
    }
    return out;
}

bool is_clean_text(std::string_view s) {
    while (!s.empty()) {
        const std::size_t n = utf8_sequence(s);
        if (n == 0 || is_control(s.substr(0, n))) return false;
        s.remove_prefix(n);
    }
    return true;
}

}  // namespace wscam
