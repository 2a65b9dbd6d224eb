#include "codec/delimiter_search.hpp"

#include <cstring>
#include <stdexcept>

namespace wscam {

delimiter_search::delimiter_search(std::string delimiter)
    : delimiter_(std::move(delimiter)), fallback_(delimiter_.size(), 0) {
    if (delimiter_.empty()) throw std::invalid_argument("empty delimiter");
    for (std::size_t i = 1, k = 0; i < delimiter_.size(); ++i) {
        while (k > 0 && delimiter_[i] != delimiter_[k]) k = fallback_[k - 1];
        if (delimiter_[i] == delimiter_[k]) ++k;
        fallback_[i] = k;
    }
}

std::size_t delimiter_search::scan(const std::uint8_t* data, std::size_t size) {
    const auto first = static_cast<unsigned char>(delimiter_[0]);
    for (std::size_t i = 0; i < size; ++i) {
        if (matched_ == 0) {
            // Nothing matched: skip to the next byte that can begin the delimiter (memchr also
            // looks at each byte once, only faster).
            const void* at = std::memchr(data + i, first, size - i);
            if (!at) return npos;
            i = static_cast<std::size_t>(static_cast<const std::uint8_t*>(at) - data);
        }
        const auto c = static_cast<char>(data[i]);
        // Each fallback shortens the match by at least one byte, and each byte lengthens it by at
        // most one: at most two steps per byte, whatever the delimiter.
        while (matched_ > 0 && c != delimiter_[matched_]) matched_ = fallback_[matched_ - 1];
        if (c == delimiter_[matched_]) ++matched_;
        if (matched_ == delimiter_.size()) {
            matched_ = 0;
            return i + 1;
        }
    }
    return npos;
}

}  // namespace wscam
