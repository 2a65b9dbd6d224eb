#include "record/time_text.hpp"

#include <cstdio>
#include <ctime>

namespace wscam::record {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

/** Reads exactly `n` digits at `at`. */
std::optional<int> fixed(std::string_view s, std::size_t at, std::size_t n) {
    if (at + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (!digit(s[i])) return std::nullopt;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/** A fraction's digits (1-6, after the point) as microseconds; `at` moves past them. */
std::optional<std::int64_t> fraction(std::string_view s, std::size_t& at) {
    std::int64_t us = 0;
    std::size_t n = 0;
    while (at < s.size() && digit(s[at])) {
        if (++n > 6) return std::nullopt;
        us = us * 10 + (s[at++] - '0');
    }
    if (n == 0) return std::nullopt;
    for (; n < 6; ++n) us *= 10;
    return us;
}

}  // namespace

std::optional<std::int64_t> parse_time(std::string_view s) {
    if (s.empty()) return std::nullopt;
    if (s.size() >= 20 && s[4] == '-') {  // ISO 8601: YYYY-MM-DDTHH:MM:SS[.ffffff]Z
        const auto y = fixed(s, 0, 4), mo = fixed(s, 5, 2), d = fixed(s, 8, 2), h = fixed(s, 11, 2), mi = fixed(s, 14, 2),
                   sec = fixed(s, 17, 2);
        if (!y || !mo || !d || !h || !mi || !sec || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
        if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *sec > 60 || *y < 1970) return std::nullopt;
        std::size_t at = 19;
        std::int64_t us = 0;
        if (at < s.size() && s[at] == '.') {
            ++at;
            const auto f = fraction(s, at);
            if (!f) return std::nullopt;
            us = *f;
        }
        if (at + 1 != s.size() || s[at] != 'Z') return std::nullopt;
        std::tm t{};
        t.tm_year = *y - 1900;
        t.tm_mon = *mo - 1;
        t.tm_mday = *d;
        t.tm_hour = *h;
        t.tm_min = *mi;
        t.tm_sec = *sec;
        const std::time_t seconds = timegm(&t);
        // timegm makes February 30th March 2nd: a date that is none is refused, not moved.
        if (t.tm_mday != *d || t.tm_mon != *mo - 1) return std::nullopt;
        return static_cast<std::int64_t>(seconds) * 1'000'000 + us;
    }
    // Unix seconds: up to 12 digits (year 33658), then an optional fraction.
    std::size_t at = 0;
    std::int64_t seconds = 0;
    while (at < s.size() && digit(s[at])) {
        if (at == 12) return std::nullopt;
        seconds = seconds * 10 + (s[at++] - '0');
    }
    if (at == 0) return std::nullopt;
    std::int64_t us = 0;
    if (at < s.size()) {
        if (s[at++] != '.') return std::nullopt;
        const auto f = fraction(s, at);
        if (!f || at != s.size()) return std::nullopt;
        us = *f;
    }
    return seconds * 1'000'000 + us;
}

std::string iso_time(std::int64_t us) {
    const std::time_t seconds = static_cast<std::time_t>(us / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(us % 1'000'000));
    return text;
}

}  // namespace wscam::record
