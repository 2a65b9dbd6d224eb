#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wscam {

/**
 * Finds a delimiter in a byte stream that arrives in pieces, looking at every byte once
 * (Knuth–Morris–Pratt): between pieces it keeps how much of the delimiter the bytes seen so far
 * end with, so nothing is scanned again, and a delimiter that almost repeats ("--a--a--a…X")
 * costs what any other does. A search that restarts at each position (std::search) compares up to
 * the delimiter's length at every one: quadratic in the delimiter, which a camera chooses.
 */
class delimiter_search {
public:
    explicit delimiter_search(std::string delimiter);

    /**
     * Goes on with the search through `size` more bytes. Returns the offset in `data` just past
     * the delimiter's last byte when it ends there (and starts over), else npos.
     */
    std::size_t scan(const std::uint8_t* data, std::size_t size);
    /** Forgets a partial match: the next scan looks for a delimiter that begins in its own bytes. */
    void reset() { matched_ = 0; }

    const std::string& delimiter() const { return delimiter_; }
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

private:
    std::string delimiter_;
    // fallback_[i]: the length of the longest proper prefix of the delimiter's first i + 1
    // bytes that is also their suffix: how much is still matched after a mismatch at i + 1.
    std::vector<std::size_t> fallback_;
    std::size_t matched_ = 0;  // the delimiter's first bytes that end the bytes seen so far
};

}  // namespace wscam
