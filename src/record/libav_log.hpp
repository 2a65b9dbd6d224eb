#pragma once

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

#include <mutex>
#include <string>

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

/** libavformat's words for one of its error codes, for the message wscam reports. */
inline std::string av_reason(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

}  // namespace wscam::record
