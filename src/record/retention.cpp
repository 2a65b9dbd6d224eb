#include "record/retention.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

namespace wscam::record {
namespace {

/** Digits, then an optional one-letter unit from `units` (each with its multiplier). */
template <class T>
std::optional<T> number_with_unit(std::string_view text, std::initializer_list<std::pair<char, T>> units) {
    if (text.empty()) return std::nullopt;
    T multiplier = 1;
    for (const auto& [letter, times] : units)
        if (text.back() == letter) {
            multiplier = times;
            text.remove_suffix(1);
            break;
        }
    T value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || text.front() == '-') return std::nullopt;
    if (value > std::numeric_limits<T>::max() / multiplier) return std::nullopt;
    return value * multiplier;
}

}  // namespace

std::optional<std::int64_t> parse_age(std::string_view text) {
    constexpr std::int64_t s = 1'000'000;
    const bool plain_seconds = !text.empty() && text.back() >= '0' && text.back() <= '9';
    const auto v = number_with_unit<std::int64_t>(text, {{'s', s}, {'m', 60 * s}, {'h', 3600 * s}, {'d', 86400 * s}});
    if (!v || !plain_seconds) return v;
    if (*v > std::numeric_limits<std::int64_t>::max() / s) return std::nullopt;
    return *v * s;
}

std::optional<std::uint64_t> parse_bytes(std::string_view text) {
    constexpr std::uint64_t k = 1024;
    return number_with_unit<std::uint64_t>(text, {{'K', k}, {'M', k * k}, {'G', k * k * k}, {'T', k * k * k * k}});
}

std::vector<segment_entry> expired_segments(const std::vector<segment_entry>& segments,
                                            const std::map<std::string, keep_limits>& limits,
                                            std::uint64_t folder_max_bytes, std::int64_t now_us) {
    std::vector<const segment_entry*> oldest_first;
    for (const auto& s : segments) oldest_first.push_back(&s);
    std::stable_sort(oldest_first.begin(), oldest_first.end(),
                     [](const segment_entry* a, const segment_entry* b) { return a->start_us < b->start_us; });
    std::set<const segment_entry*> gone;
    std::map<std::string, std::uint64_t> bytes;  // per stream, of what stays
    std::uint64_t total = 0;
    for (const auto* s : oldest_first) {
        bytes[s->stream] += s->bytes;
        total += s->bytes;
    }
    auto drop = [&](const segment_entry* s) {
        if (!gone.insert(s).second) return;
        bytes[s->stream] -= s->bytes;
        total -= s->bytes;
    };
    for (const auto* s : oldest_first) {
        const auto it = limits.find(s->stream);
        if (it == limits.end()) continue;
        const auto& l = it->second;
        if (l.max_age_us > 0 && s->end_us < now_us - l.max_age_us) drop(s);
        else if (l.max_bytes > 0 && bytes[s->stream] > l.max_bytes) drop(s);
    }
    for (const auto* s : oldest_first) {
        if (folder_max_bytes == 0 || total <= folder_max_bytes) break;
        drop(s);
    }
    std::vector<segment_entry> out;
    for (const auto* s : oldest_first)
        if (gone.contains(s)) out.push_back(*s);
    return out;
}

}  // namespace wscam::record
