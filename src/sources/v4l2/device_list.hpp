#pragma once

#include <string>

namespace wscam {

/** `wscam --list-devices`: every capture device with formats, sizes, rates and controls, as text or JSON. */
std::string list_v4l2_devices(bool json);

}  // namespace wscam
