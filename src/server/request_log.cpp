#include "server/request_log.hpp"

#include <mutex>

#include "core/rate_limit.hpp"
#include "core/text.hpp"
#include "server/router.hpp"

namespace wscam {

bool request_line_allowed(std::uint64_t& held) {
    static std::mutex mutex;
    static token_bucket budget(50, 200);
    static std::uint64_t held_back = 0;
    std::lock_guard lock(mutex);
    if (!budget.take(token_bucket::clock::now())) {
        ++held_back;
        return false;
    }
    held = std::exchange(held_back, 0);
    return true;
}

std::string log_path(std::string_view target) { return sanitize_text(target_path(target), 256); }

}  // namespace wscam
