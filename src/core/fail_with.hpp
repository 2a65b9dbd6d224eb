#pragma once

#include <string>

namespace wscam {

/** For parsers that say why through an optional `error`: sets it (if asked for) and returns false. */
inline bool fail_with(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

}  // namespace wscam
