#pragma once

#include <stdexcept>

namespace wscam {

/**
 * A command line or config file that cannot be used. The message is all the user reads
 * (stderr at start, the log line of a refused reload), so it names the option or FILE:LINE
 * and says what would do instead; wscam exits 2 for it, as command-line tools do.
 */
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace wscam
