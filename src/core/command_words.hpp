#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/redaction.hpp"  // redact_command_line: how a command line is shown

namespace wscam {

/**
 * Splits a command line into the words of an argv the way a POSIX shell quotes, without a
 * shell: no variables, globs, pipes or redirections (`$HOME`, `*`, `|` stay literal).
 *
 * - Spaces, tabs and line breaks separate words.
 * - 'single quotes' keep everything literally, up to the next single quote.
 * - "double quotes" keep everything, except that a backslash escapes \" \\ \$ \` (and
 *   removes a line break); before any other character the backslash stays.
 * - Outside quotes a backslash makes the next character literal (a backslash and a line
 *   break together are removed).
 * - Quoted parts join the word around them: `-vf "scale=640:-1"x` is one word; `''` is an empty word.
 *
 * Returns nullopt with a message a user can act on when the text is empty, a quote is not
 * closed, it ends with a lone backslash, it holds a NUL byte, or the program name is empty.
 */
std::optional<std::vector<std::string>> split_command_words(std::string_view text, std::string* error = nullptr);

}  // namespace wscam
