#include "server/byte_range.hpp"

#include <optional>

namespace wscam {
namespace {

/** Digits only, no sign, no overflow. */
std::optional<std::uint64_t> number(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

byte_range parse_byte_range(std::string_view header, std::uint64_t size) {
    header = trim(header);
    constexpr std::string_view unit = "bytes=";
    if (header.substr(0, unit.size()) != unit) return {};
    const auto spec = trim(header.substr(unit.size()));
    if (spec.find(',') != std::string_view::npos) return {};  // several ranges: the whole file
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return {};
    const auto from = spec.substr(0, dash), to = spec.substr(dash + 1);
    if (from.empty()) {  // the last N bytes
        const auto n = number(to);
        if (!n) return {};
        if (*n == 0 || size == 0) return {byte_range::kind::unsatisfiable};
        const auto length = *n < size ? *n : size;
        return {byte_range::kind::part, size - length, length};
    }
    const auto first = number(from);
    if (!first) return {};
    std::uint64_t last = size == 0 ? 0 : size - 1;
    if (!to.empty()) {
        const auto l = number(to);
        if (!l || *l < *first) return {};
        if (*l < last) last = *l;
    }
    if (*first >= size) return {byte_range::kind::unsatisfiable};
    return {byte_range::kind::part, *first, last - *first + 1};
}

}  // namespace wscam
