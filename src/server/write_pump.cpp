#include "server/write_pump.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace wscam {

void limit_unsent(tcp::socket& socket, std::size_t lowat) {
    if (!lowat) return;
    const int value = static_cast<int>(lowat);
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &value, sizeof value);
}

std::optional<std::string> write_stall(std::chrono::steady_clock::time_point started,
                                       std::chrono::steady_clock::time_point now, std::chrono::seconds limit) {
    if (limit.count() == 0 || now - started < limit) return std::nullopt;
    return "not reading: no frame taken for " + std::to_string(limit.count()) + " s";
}

}  // namespace wscam
