#include "sources/render_pool.hpp"

#include <boost/asio/thread_pool.hpp>

#include <algorithm>
#include <thread>

namespace wscam {

boost::asio::thread_pool& render_pool() {
    // Reachable through this static for the whole run: not a leak, and no destructor to race
    // a job at exit.
    static auto* pool = new boost::asio::thread_pool(std::max(1u, std::thread::hardware_concurrency()));
    return *pool;
}

}  // namespace wscam
