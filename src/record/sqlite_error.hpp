#pragma once

#include <stdexcept>

namespace wscam::record {

/** An SQLite database of ours cannot be opened or written: the path and SQLite's reason. */
class sqlite_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace wscam::record
