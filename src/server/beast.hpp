#pragma once

// The one place Beast/Asio are included from inside src/server (through net/beast.hpp); only
// the server's own .cpp files include this header.
#include <string>

#include "net/beast.hpp"

namespace wscam {

/** host:port of a socket's peer, for logs; "?" if it is already gone. */
std::string peer_string(const tcp::socket& s);

/** Errors that are part of normal life (peer left, we closed, shutdown) and need no log line. */
bool is_expected_disconnect(const beast::error_code& ec);
}  // namespace wscam
