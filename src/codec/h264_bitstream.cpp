#include "codec/h264_bitstream.hpp"

#include <array>
#include <cmath>
#include <cstdio>

namespace wscam {
namespace {

// Length of the start code at `i` (3 or 4), or 0.
std::size_t start_code_at(std::span<const std::uint8_t> b, std::size_t i) {
    if (i + 3 <= b.size() && b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) return 3;
    if (i + 4 <= b.size() && b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 0 && b[i + 3] == 1) return 4;
    return 0;
}

/** Where the NAL unit that begins at `i` (after its start code) ends, and where the next start code is. */
struct nal_bounds {
    std::size_t end;   // without trailing zero bytes (they belong to the next start code)
    std::size_t next;  // the next start code, or b.size() for the last unit
};

nal_bounds nal_at(std::span<const std::uint8_t> b, std::size_t i) {
    std::size_t next = b.size();
    for (std::size_t j = i; j + 3 <= b.size(); ++j) {
        if (b[j] == 0 && b[j + 1] == 0 && (b[j + 2] == 1 || (b[j + 2] == 0 && j + 3 < b.size() && b[j + 3] == 1))) {
            next = j;
            break;
        }
    }
    std::size_t end = next;
    while (end > i && b[end - 1] == 0) --end;
    return {end, next};
}

std::optional<access_unit_info> refuse(std::string* error, std::string why) {
    if (error) *error = std::move(why);
    return std::nullopt;
}

}  // namespace

std::optional<access_unit_info> inspect_access_unit(std::span<const std::uint8_t> b, std::string* error) {
    std::size_t i = start_code_at(b, 0);
    if (!i) return refuse(error, "no Annex B start code at the front");
    access_unit_info info;
    for (;;) {
        const auto [end, next] = nal_at(b, i);
        if (end == i) return refuse(error, "empty NAL unit " + std::to_string(info.nal_units + 1));
        const std::uint8_t header = b[i];
        if (header & 0x80) return refuse(error, "NAL unit " + std::to_string(info.nal_units + 1) + " has forbidden_zero_bit set");
        ++info.nal_units;
        switch (header & 0x1f) {
        case 1: info.slices = true; break;
        case 5: info.slices = info.idr = true; break;
        case 7:
            if (end - i < 4) return refuse(error, "SPS of " + std::to_string(end - i) + " bytes is too short");
            if (!info.sps) {
                info.profile_idc = b[i + 1];
                info.constraint_flags = b[i + 2];
                info.level_idc = b[i + 3];
            }
            info.sps = true;
            break;
        case 8: info.pps = true; break;
        default: break;
        }
        if (next == b.size()) break;
        i = next + start_code_at(b, next);
    }
    if (!info.slices) return refuse(error, "no coded slice in the access unit");
    return info;
}

std::span<const std::uint8_t> find_nal_unit(std::span<const std::uint8_t> b, int type) {
    std::size_t i = start_code_at(b, 0);
    if (!i) return {};
    for (;;) {
        const auto [end, next] = nal_at(b, i);
        if (end > i && (b[i] & 0x1f) == type) return b.subspan(i, end - i);
        if (next == b.size()) return {};
        i = next + start_code_at(b, next);
    }
}

std::string avc_codec_string(std::uint8_t profile_idc, std::uint8_t constraint_flags, std::uint8_t level_idc) {
    char text[16];
    std::snprintf(text, sizeof text, "avc1.%02X%02X%02X", profile_idc, constraint_flags, level_idc);
    return text;
}

std::uint8_t h264_level_for(int width, int height, double fps) {
    struct level {
        std::uint8_t idc;
        long max_fs;    // macroblocks per frame
        long max_mbps;  // macroblocks per second
    };
    // H.264 Table A-1 (level 1b left out: it has no level_idc of its own in baseline).
    static constexpr std::array<level, 15> levels{{{10, 99, 1485},      {11, 396, 3000},     {12, 396, 6000},
                                                   {13, 396, 11880},    {20, 396, 11880},    {21, 792, 19800},
                                                   {22, 1620, 20250},   {30, 1620, 40500},   {31, 3600, 108000},
                                                   {32, 5120, 216000},  {40, 8192, 245760},  {41, 8192, 245760},
                                                   {42, 8704, 522240},  {50, 22080, 589824}, {51, 36864, 983040}}};
    const long mbs = static_cast<long>((std::max(width, 1) + 15) / 16) * ((std::max(height, 1) + 15) / 16);
    const double rate = mbs * std::max(fps, 1.0);
    for (const auto& l : levels) {
        // MaxFS also bounds each side: sqrt(8 * MaxFS) macroblocks.
        const double side = std::sqrt(8.0 * static_cast<double>(l.max_fs));
        if (mbs <= l.max_fs && rate <= static_cast<double>(l.max_mbps) && (width + 15) / 16 <= side &&
            (height + 15) / 16 <= side)
            return l.idc;
    }
    return 52;
}

}  // namespace wscam
