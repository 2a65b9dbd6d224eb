#pragma once

#include <functional>

namespace boost::asio {
class io_context;
}

namespace wscam {

/**
 * Hands out the server's I/O contexts, round robin, to the sources that wait on sockets and
 * timers (http/ws cameras), so that the number of threads does not grow with the number of
 * cameras. Empty: such a source runs a context on a thread of its own (unit tests, tools).
 */
using io_context_picker = std::function<boost::asio::io_context&()>;

}  // namespace wscam
