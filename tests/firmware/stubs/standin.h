// Shared helpers of the Linux stand-ins (not part of any real API).
#pragma once

#include <string>

namespace standin {

/** $name, or `fallback` when unset or empty. */
const char *env_str(const char *name, const char *fallback);
/** $name as an integer, or `fallback`. */
long env_int(const char *name, long fallback);
/** WSCAM_MODE_PUSH (1) or WSCAM_MODE_LOCAL (2) from $ESP32CAM_STANDIN_MODE (push|local). */
int mode();
/** A diagnostic line on stderr, prefixed "[standin] " (the sketch's Serial is stdout). */
void log(const char *format, ...) __attribute__((format(printf, 1, 2)));

}  // namespace standin
