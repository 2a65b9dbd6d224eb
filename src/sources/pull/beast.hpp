#pragma once

// The Beast and Asio names of the code that connects out to cameras (pull/ and the ESP32
// control client): the only Beast in sources/.
#include "net/beast.hpp"

namespace wscam::pull {

using net::awaitable;
using net::use_awaitable;

}  // namespace wscam::pull
