#pragma once

namespace boost::asio {
class thread_pool;
}

namespace wscam {

/**
 * The threads that render and encode frames made inside wscam (the test card), one per
 * core, shared by every such stream: the process's thread count does not grow with them, and
 * the encode work never runs on an I/O thread (it takes milliseconds a frame). Created at
 * first use; never destroyed (a job may still run while the process exits).
 */
boost::asio::thread_pool& render_pool();

}  // namespace wscam
