#include "sources/exec/mjpeg_stream_reader.hpp"

#include <unistd.h>

#include <cerrno>

namespace wscam {

mjpeg_stream_reader::mjpeg_stream_reader(std::shared_ptr<stream> hub, const intake_options& options)
    : hub_(std::move(hub)), max_frame_bytes_(options.max_frame_bytes),
      intake_(hub_, options.max_frame_bytes, options.max_frame_pixels),
      splitter_(options.max_frame_bytes, [this](std::span<const std::uint8_t> jpeg) { offer(jpeg); }),
      chunk_(256 * 1024) {}

void mjpeg_stream_reader::offer(std::span<const std::uint8_t> jpeg) {
    if (!intake_.offer(jpeg)) return;
    last_frame_ = clock::now();
    report_status(*hub_, true);
}

bool mjpeg_stream_reader::read_available(int fd) {
    const auto n = ::read(fd, chunk_.data(), chunk_.size());
    if (n > 0) {
        splitter_.feed({chunk_.data(), static_cast<std::size_t>(n)});
        return true;
    }
    return n < 0 && (errno == EAGAIN || errno == EINTR);  // else the writer closed, or the read failed
}

void mjpeg_stream_reader::restart() {
    // The previous producer's unfinished frame must not be glued to the next one's bytes.
    splitter_ = mjpeg_splitter(max_frame_bytes_, [this](std::span<const std::uint8_t> jpeg) { offer(jpeg); });
    last_frame_ = clock::now();
}

}  // namespace wscam
