#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace wscam {

/** What one H.264 access unit (Annex B: start codes before each NAL unit) holds. */
struct access_unit_info {
    int nal_units = 0;
    bool idr = false;        // an IDR slice (NAL type 5): a decoder can start here if SPS and PPS are present
    bool sps = false;        // NAL type 7
    bool pps = false;        // NAL type 8
    bool slices = false;     // any coded slice (types 1 and 5)
    // From the first SPS, if any: what `avc1.PPCCLL` names.
    std::uint8_t profile_idc = 0;
    std::uint8_t constraint_flags = 0;
    std::uint8_t level_idc = 0;

    /** Where a new viewer can join: an IDR slice with its SPS and PPS in band. */
    bool joinable() const { return idr && sps && pps; }
};

/**
 * Reads an access unit in Annex B form (00 00 01 or 00 00 00 01 before each NAL unit). Pure;
 * for bytes from outside (a camera that hands in H.264) as much as from our own encoder.
 * Refuses (nullopt, and `error`) what a decoder could not take: no start code at the front,
 * an empty NAL unit, a forbidden_zero_bit set, an SPS too short to name its profile, no slice.
 */
std::optional<access_unit_info> inspect_access_unit(std::span<const std::uint8_t> annexb, std::string* error = nullptr);

/**
 * The first NAL unit of `type` (7: SPS, 8: PPS) in an Annex B access unit, without its start
 * code and trailing zero bytes; empty if there is none. Pure, bounded by the unit's size.
 */
std::span<const std::uint8_t> find_nal_unit(std::span<const std::uint8_t> annexb, int type);

/** The WebCodecs / RFC 6381 codec string for an SPS's first three bytes, e.g. "avc1.42C01F". */
std::string avc_codec_string(std::uint8_t profile_idc, std::uint8_t constraint_flags, std::uint8_t level_idc);

/**
 * The smallest H.264 level (level_idc: 10 = 1.0 … 52 = 5.2) whose frame size and macroblock
 * rate (Table A-1) hold `width`x`height` at `fps`; 52 for anything larger.
 */
std::uint8_t h264_level_for(int width, int height, double fps);

}  // namespace wscam
