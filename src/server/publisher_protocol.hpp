#pragma once

#include <string_view>

#include "core/frame_hub.hpp"

namespace wscam {

/**
 * What a publisher's (a pushing camera's) text message does, without any socket: for now its
 * words become the stream's status message, which viewers see. Pure, so that it is fuzzed
 * end to end together with what viewers and /api/streams then serialise.
 */
void on_publisher_text(frame_hub& hub, std::string_view text);

}  // namespace wscam
