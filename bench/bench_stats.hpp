#pragma once

// Pure statistics for wscam-bench: a fixed-resolution latency histogram, sequence-gap
// counting and percentiles. No I/O, so it is unit-tested on its own.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace wscam::bench {

/** Latencies in microseconds, 10 µs buckets up to `max_us`; larger values land in one overflow bucket. */
class latency_histogram {
public:
    explicit latency_histogram(std::int64_t max_us = 5'000'000, std::int64_t bucket_us = 10)
        : bucket_us_(bucket_us), buckets_(static_cast<std::size_t>(max_us / bucket_us) + 1) {}

    void add(std::int64_t us) {
        if (us < 0) us = 0;  // one host, one clock: below zero is only rounding
        const auto i = std::min<std::size_t>(static_cast<std::size_t>(us / bucket_us_), buckets_.size() - 1);
        ++buckets_[i];
        ++count_;
        max_ = std::max(max_, us);
    }

    void merge(const latency_histogram& other) {
        for (std::size_t i = 0; i < buckets_.size() && i < other.buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
        count_ += other.count_;
        max_ = std::max(max_, other.max_);
    }

    /** The p-th percentile (0..1) in microseconds (bucket upper edge), 0 when empty. */
    std::int64_t percentile(double p) const {
        if (count_ == 0) return 0;
        const auto rank = static_cast<std::uint64_t>(std::ceil(p * static_cast<double>(count_)));
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < buckets_.size(); ++i) {
            seen += buckets_[i];
            if (seen < std::max<std::uint64_t>(rank, 1)) continue;
            // The overflow bucket has no upper edge: the true maximum is the honest answer.
            if (i + 1 == buckets_.size()) return max_;
            return std::min<std::int64_t>((static_cast<std::int64_t>(i) + 1) * bucket_us_, max_);
        }
        return max_;
    }

    std::uint64_t count() const { return count_; }
    std::int64_t max() const { return max_; }

private:
    std::int64_t bucket_us_;
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::int64_t max_ = 0;
};

/** Counts frames a client never got: gaps in the per-stream sequence numbers. */
struct sequence_tracker {
    std::uint64_t last = 0;
    /** Returns how many sequence numbers were skipped before `seq` (0 for the first frame). */
    std::uint64_t next(std::uint64_t seq) {
        std::uint64_t gap = 0;
        if (last != 0 && seq > last + 1) gap = seq - last - 1;
        if (seq > last) last = seq;
        return gap;
    }
};

/** The p-th percentile (0..1) of `values` (nearest rank); 0 when empty. */
inline double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

/**
 * The send time a camera stamped into a JPEG (a COM segment right after SOI holding
 * "wscam-sent:" and 17 digits of µs since the epoch; tests/node/lib/stamps.mjs and
 * bench/camera_farm.mjs write it), or nothing.
 */
inline std::optional<std::int64_t> sent_stamp(const std::uint8_t* jpeg, std::size_t size) {
    static constexpr char tag[] = "wscam-sent:";
    constexpr std::size_t tag_len = sizeof tag - 1, digits = 17;
    const std::size_t limit = std::min<std::size_t>(size, 64 + tag_len + digits);
    for (std::size_t at = 0; at + tag_len + digits <= limit; ++at) {
        if (std::memcmp(jpeg + at, tag, tag_len) != 0) continue;
        std::int64_t us = 0;
        for (std::size_t i = 0; i < digits; ++i) {
            const auto c = jpeg[at + tag_len + i];
            if (c < '0' || c > '9') return std::nullopt;
            us = us * 10 + (c - '0');
        }
        return us;
    }
    return std::nullopt;
}

}  // namespace wscam::bench
