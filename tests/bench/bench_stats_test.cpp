#include "bench_stats.hpp"

#include <gtest/gtest.h>

namespace wscam::bench {
namespace {

TEST(bench_stats, sequence_gaps_count_exactly_the_frames_never_received) {
    sequence_tracker t;
    EXPECT_EQ(t.next(5), 0u) << "the first frame may start anywhere";
    EXPECT_EQ(t.next(6), 0u);
    EXPECT_EQ(t.next(9), 2u) << "7 and 8 were skipped";
    EXPECT_EQ(t.next(9), 0u) << "a repeat is not a gap";
    EXPECT_EQ(t.next(8), 0u) << "an old frame is not a gap";
    EXPECT_EQ(t.next(20), 10u);
}

TEST(bench_stats, the_camera_send_stamp_is_read_from_the_jpeg_com_segment) {
    const std::string stamped = std::string("\xff\xd8\xff\xfe\x00\x1e") + "wscam-sent:01795870130851445" + "\xff\xdb rest";
    const auto* p = reinterpret_cast<const std::uint8_t*>(stamped.data());
    EXPECT_EQ(sent_stamp(p, stamped.size()), 1795870130851445);
    EXPECT_EQ(sent_stamp(p, 20), std::nullopt) << "cut before the digits";
    const std::string plain = "\xff\xd8\xff\xdb no stamp here at all, just a picture";
    EXPECT_EQ(sent_stamp(reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()), std::nullopt);
    const std::string bad = std::string("\xff\xd8\xff\xfe\x00\x1e") + "wscam-sent:0179587013085x445";
    EXPECT_EQ(sent_stamp(reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size()), std::nullopt);
}

TEST(bench_stats, histogram_percentiles_have_ten_microsecond_resolution) {
    latency_histogram h;
    for (int i = 1; i <= 100; ++i) h.add(i * 1000);  // 1 ms .. 100 ms
    EXPECT_EQ(h.count(), 100u);
    EXPECT_NEAR(h.percentile(0.5), 50'000, 10);
    EXPECT_NEAR(h.percentile(0.99), 99'000, 10);
    EXPECT_EQ(h.percentile(1.0), 100'000);
    EXPECT_EQ(h.max(), 100'000);
}

TEST(bench_stats, histogram_overflow_keeps_the_true_maximum_and_merges) {
    latency_histogram a(1'000'000), b(1'000'000);
    a.add(500);
    b.add(7'000'000);  // beyond the range: counted, and max stays exact
    b.add(-3);         // clock rounding below zero counts as zero
    a.merge(b);
    EXPECT_EQ(a.count(), 3u);
    EXPECT_EQ(a.max(), 7'000'000);
    EXPECT_EQ(a.percentile(1.0), 7'000'000);
    EXPECT_LE(a.percentile(0.3), 10);
}

TEST(bench_stats, percentile_of_values_uses_nearest_rank) {
    EXPECT_EQ(percentile({}, 0.5), 0);
    EXPECT_EQ(percentile({3, 1, 2}, 0), 1);
    EXPECT_EQ(percentile({3, 1, 2}, 0.5), 2);
    EXPECT_EQ(percentile({3, 1, 2}, 1), 3);
    std::vector<double> hundred;
    for (int i = 1; i <= 100; ++i) hundred.push_back(i);
    EXPECT_EQ(percentile(hundred, 0.01), 1);
    EXPECT_EQ(percentile(hundred, 0.99), 99);
}

}  // namespace
}  // namespace wscam::bench
