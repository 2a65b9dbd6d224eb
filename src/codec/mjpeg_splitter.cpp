#include "codec/mjpeg_splitter.hpp"

#include <cstring>

namespace wscam {

void mjpeg_splitter::feed(std::span<const std::uint8_t> data) {
    for (std::size_t i = 0; i < data.size(); ++i) {
        // Fast path: inside a segment or entropy-coded data, copy runs without per-byte states.
        if (state_ == state::skip_segment && skip_left_ > 1) {
            const std::size_t n = std::min(skip_left_ - 1, data.size() - i);
            frame_.insert(frame_.end(), data.begin() + static_cast<std::ptrdiff_t>(i),
                          data.begin() + static_cast<std::ptrdiff_t>(i + n));
            skip_left_ -= n;
            i += n - 1;
            if (frame_.size() > max_frame_bytes_) abandon();
            continue;
        }
        if (state_ == state::entropy) {
            const void* ff = std::memchr(data.data() + i, 0xFF, data.size() - i);
            const std::size_t end = ff ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(ff) - data.data())
                                       : data.size();
            if (end > i) {
                frame_.insert(frame_.end(), data.begin() + static_cast<std::ptrdiff_t>(i),
                              data.begin() + static_cast<std::ptrdiff_t>(end));
                if (frame_.size() > max_frame_bytes_) {
                    abandon();
                    i = end - 1;
                    continue;
                }
                i = end;
                if (i == data.size()) break;
            }
        }
        step(data[i]);
    }
}

void mjpeg_splitter::restart() {
    frame_.assign({0xFF, 0xD8});
    in_frame_ = true;
    marker_ff_seen_ = false;
    state_ = state::marker;
}

void mjpeg_splitter::emit() {
    ++frames_;
    on_frame_(frame_);
    // Kept with its capacity: the next frame grows into it, no allocation per frame.
    frame_.clear();
    in_frame_ = false;
    state_ = state::seek_soi;
}

void mjpeg_splitter::abandon() {
    ++oversized_;
    frame_.clear();
    frame_.shrink_to_fit();
    in_frame_ = false;
    state_ = state::seek_soi;
}

// One function on purpose (85 lines): a byte-level state machine whose states read top to
// bottom in the order a JPEG's markers come; split up, each state's exits would be elsewhere.
void mjpeg_splitter::step(std::uint8_t b) {
    if (in_frame_) {
        frame_.push_back(b);
        if (frame_.size() > max_frame_bytes_) return abandon();
    }
    switch (state_) {
    case state::seek_soi:
        if (b == 0xFF) state_ = state::seek_soi_second;
        else ++skipped_bytes_;
        break;
    case state::seek_soi_second:
        if (b == 0xD8) {
            restart();
        } else if (b != 0xFF) {
            skipped_bytes_ += 2;
            state_ = state::seek_soi;
        } else {
            ++skipped_bytes_;
        }
        break;
    case state::marker:
        // Expecting FF then a marker code (fill bytes FF FF ... are allowed).
        if (!marker_ff_seen_) {
            if (b != 0xFF) {  // not a JPEG after all: resync
                frame_.clear();
                in_frame_ = false;
                ++skipped_bytes_;
                state_ = state::seek_soi;
            } else {
                marker_ff_seen_ = true;
            }
            break;
        }
        if (b == 0xFF) break;
        marker_ff_seen_ = false;
        if (b == 0xD9) {  // EOI with no scan: emit anyway, the validator decides
            emit();
        } else if (b == 0xD8) {  // SOI again: the previous frame was cut; restart here
            restart();
        } else if ((b >= 0xD0 && b <= 0xD7) || b == 0x01) {
            // Standalone markers: no length.
        } else {
            after_sos_ = (b == 0xDA);
            length_have_ = 0;
            state_ = state::segment_length;
        }
        break;
    case state::segment_length:
        length_bytes_[length_have_++] = b;
        if (length_have_ == 2) {
            const std::size_t len = (std::size_t(length_bytes_[0]) << 8) | length_bytes_[1];
            if (len < 2) {  // corrupt: resync
                frame_.clear();
                in_frame_ = false;
                state_ = state::seek_soi;
                break;
            }
            skip_left_ = len - 2;
            state_ = skip_left_ ? state::skip_segment : (after_sos_ ? state::entropy : state::marker);
        }
        break;
    case state::skip_segment:
        if (--skip_left_ == 0) state_ = after_sos_ ? state::entropy : state::marker;
        break;
    case state::entropy:
        if (b == 0xFF) state_ = state::entropy_ff;
        break;
    case state::entropy_ff:
        if (b == 0x00 || (b >= 0xD0 && b <= 0xD7)) {
            state_ = state::entropy;  // stuffed byte or restart marker: still scan data
        } else if (b == 0xFF) {
            // fill byte, stay
        } else if (b == 0xD9) {
            emit();
        } else if (b == 0xD8) {
            restart();  // a new frame began before this one ended
        } else {
            // Another segment (progressive JPEGs: DHT, SOS, ...).
            after_sos_ = (b == 0xDA);
            length_have_ = 0;
            state_ = state::segment_length;
        }
        break;
    }
}

}  // namespace wscam
