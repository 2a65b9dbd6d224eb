#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

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

/**
 * Creates `path` as a new, empty plain file, or says why not ("it exists", the system's reason).
 * Exclusive and never through a link (O_EXCL|O_NOFOLLOW): whatever is at that name already, a
 * file, a link to anywhere (even a dangling one or a loop), a FIFO, is left alone and refused, so
 * nothing planted in the folder makes wscam write elsewhere (a review had a timelapse and an
 * export written through links). libavformat then opens the file made here.
 */
inline bool create_new_file(const std::filesystem::path& path, std::string* why) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (why) *why = errno == EEXIST ? "it exists" : std::strerror(errno);
        return false;
    }
    ::close(fd);
    return true;
}

}  // namespace wscam::record
