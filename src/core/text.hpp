#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace wscam {

/** Longest text from outside (a camera's reason phrase or message, a path) kept anywhere. */
inline constexpr std::size_t max_outside_text_bytes = 512;

/**
 * Makes text that came from outside (cameras, publishers, viewers, paths, device names) safe
 * to keep, log and put into JSON: invalid UTF-8 becomes U+FFFD, control characters (line
 * breaks, escapes) become spaces, and the result is cut at a character boundary to at most
 * `max_bytes`, ending in "…" when something was cut. Called once where such text enters.
 */
std::string sanitize_text(std::string_view in, std::size_t max_bytes = max_outside_text_bytes);

/** Whether `s` is valid UTF-8 with no control characters (what sanitize_text produces). */
bool is_clean_text(std::string_view s);

}  // namespace wscam
