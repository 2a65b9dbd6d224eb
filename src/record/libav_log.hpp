#pragma once

extern "C" {
#include <libavutil/log.h>
}

#include <mutex>

namespace wscam::record {

/**
 * libavformat prints to stderr by default, without a stream's name: wscam reports every failure
 * itself, with the stream and libavformat's reason, so only fatal ones are printed. Call before
 * using libavformat.
 */
inline void quiet_libav() {
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_level(AV_LOG_FATAL); });
}

}  // namespace wscam::record
