#include "record/export_reservations.hpp"

namespace wscam::record {
namespace {

/** A reservation's bytes, given back to the count when it goes. */
struct export_hold {
    export_hold(std::shared_ptr<std::atomic<std::uint64_t>> c, std::uint64_t n) : count(std::move(c)), bytes(n) {}
    ~export_hold() { count->fetch_sub(bytes); }
    export_hold(const export_hold&) = delete;
    export_hold& operator=(const export_hold&) = delete;
    std::shared_ptr<std::atomic<std::uint64_t>> count;
    std::uint64_t bytes;
};

}  // namespace

std::shared_ptr<const void> export_reservations::reserve(std::uint64_t bytes, std::uint64_t available, std::uint64_t margin) {
    // Counted first, checked after: two exports checking at once each see the other's bytes.
    const auto others = reserved_->fetch_add(bytes);
    auto handle = std::make_shared<const export_hold>(reserved_, bytes);
    if (available < margin || available - margin < others || available - margin - others < bytes) return nullptr;
    return handle;
}

}  // namespace wscam::record
