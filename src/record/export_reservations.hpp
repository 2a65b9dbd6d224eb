#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace wscam::record {

/**
 * The disk that exports have taken or may still take. Each export reserves its size before it
 * is built and holds the reservation until its answer is written (its file, unlinked, stays on
 * the disk until then), so that exports made together cannot each see the same free space: a
 * review's two did, and filled the disk the recorders write to. Thread-safe.
 */
class export_reservations {
public:
    /**
     * Reserves `bytes` if the disk's `available` bytes (now) hold them beside those reserved
     * already and `margin` (left to the recorders); null otherwise. The handle gives them back
     * when its last copy goes (it may outlive this object).
     */
    std::shared_ptr<const void> reserve(std::uint64_t bytes, std::uint64_t available, std::uint64_t margin);
    /** Bytes reserved now. */
    std::uint64_t reserved() const { return reserved_->load(); }

private:
    std::shared_ptr<std::atomic<std::uint64_t>> reserved_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

}  // namespace wscam::record
