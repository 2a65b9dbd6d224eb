#pragma once

#include <string>

#include "core/stream.hpp"

namespace wscam {

/** Sets a stream's status and logs one line when it changed (online/offline and why). */
void report_status(stream& hub, bool online, const std::string& reason = {});

}  // namespace wscam
