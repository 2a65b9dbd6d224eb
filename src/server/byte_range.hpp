#pragma once

#include <cstdint>
#include <string_view>

namespace wscam {

/**
 * What a `Range:` header asks of a file of `size` bytes (RFC 9110 §14): one range of bytes
 * ("bytes=A-B", "bytes=A-", "bytes=-N"), answered 206 with Content-Range; one that lies past
 * the end, answered 416. Anything else (no header, another unit, several ranges, a malformed
 * one) is ignored as the RFC allows: the whole file, 200. Pure: unit-tested and fuzzed.
 */
struct byte_range {
    enum class kind { whole, part, unsatisfiable };
    kind what = kind::whole;
    std::uint64_t first = 0;   // for part: the first byte
    std::uint64_t length = 0;  // for part: how many
};

byte_range parse_byte_range(std::string_view header, std::uint64_t size);

}  // namespace wscam
