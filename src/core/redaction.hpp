#pragma once

#include <string>
#include <string_view>

namespace wscam {

/** What separates the words of a command line, as a shell sees it (and isspace in the C locale). */
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

/**
 * Whether a setting, option, query parameter or header of this name carries a secret, by
 * its name alone (case-insensitive, leading dashes ignored): it mentions a token, a password
 * ("pass"), a secret, authorisation ("auth"), a cookie or a credential, ends with "key", or is
 * a user option that carries "user:password" (`-u`, `--user`, `--proxy-user`), or `-p`
 * (sshpass and mysql take a password there; another program's `-p` value is hidden too).
 */
bool is_secret_name(std::string_view name);

/**
 * A command line (or a program's log line) with its secrets replaced by `***`, for logs and
 * /api: the one place wscam hides credentials in text it shows. Within each word:
 * `scheme://user:pass@host` (the user and password), `NAME=value` (`?token=abc`,
 * `--password=x`, `api_key=k`) and `Name: value` headers (`Authorization: Basic …`,
 * `Cookie: …`, `X-Api-Key: …`, up to the end of the quoted word or a `\r`/`\n`) for
 * secret names; and the word after an option with a secret name (`-u admin:pw`,
 * `--password pw`, `-p pw`, `--cookie c`), or a `-uUSER:PASS` glued to its option. Words are
 * found the way a shell quotes (an unclosed quote is a character, as in "can't"); a value
 * hidden inside a word keeps the quotes around it, a word hidden whole becomes `***`. A header
 * name ending its word ("> Authorization: Basic …", as curl -v logs it) hides the words after
 * it up to the line's end. Pure; fuzzed.
 */
std::string redact_command_line(std::string_view text);

}  // namespace wscam
