#pragma once

#include <string>

#include "core/frame_hub.hpp"

namespace wscam {

/** Sets a stream's status and logs one line when it changed (online/offline and why). */
void report_status(frame_hub& hub, bool online, const std::string& reason = {});

}  // namespace wscam
