#pragma once

#include <filesystem>

namespace wscam::record {

/**
 * Whether `path` is a plain file itself: not a symbolic link (to anything, inside the folder or
 * out), a directory, a FIFO or a device. The recordings folder holds only what the recorder
 * wrote; whatever else someone put there is never read, repaired, indexed, served or deleted
 * through it (a link could point at /etc/passwd, a FIFO would block the thread that opens it).
 */
inline bool plain_file(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::symlink_status(path, ec).type() == std::filesystem::file_type::regular;
}

}  // namespace wscam::record
