#include "core/command_words.hpp"

#include <algorithm>
#include <cctype>

#include "core/fail_with.hpp"

namespace wscam {
namespace {

/** Reads one word starting at `i` (not at a blank); moves `i` past it. */
bool read_word(std::string_view text, std::size_t& i, std::string& word, std::string* error) {
    while (i < text.size() && !is_blank(text[i])) {
        const char c = text[i];
        if (c == '\'') {
            const auto close = text.find('\'', i + 1);
            if (close == std::string_view::npos)
                return fail_with(error, "unterminated single quote (opened at character " + std::to_string(i + 1) + ")");
            word.append(text.substr(i + 1, close - i - 1));
            i = close + 1;
        } else if (c == '"') {
            const std::size_t open = i++;
            for (;;) {
                if (i >= text.size())
                    return fail_with(error, "unterminated double quote (opened at character " + std::to_string(open + 1) + ")");
                const char d = text[i];
                if (d == '"') break;
                if (d == '\\' && i + 1 < text.size()) {
                    const char e = text[i + 1];
                    if (e == '"' || e == '\\' || e == '$' || e == '`') {
                        word.push_back(e);
                        i += 2;
                        continue;
                    }
                    if (e == '\n') {  // a line continuation
                        i += 2;
                        continue;
                    }
                }
                word.push_back(d);
                ++i;
            }
            ++i;
        } else if (c == '\\') {
            if (i + 1 >= text.size()) return fail_with(error, "ends with a lone backslash");
            if (text[i + 1] != '\n') word.push_back(text[i + 1]);
            i += 2;
        } else {
            word.push_back(c);
            ++i;
        }
    }
    return true;
}

}  // namespace

std::optional<std::vector<std::string>> split_command_words(std::string_view text, std::string* error) {
    if (text.find('\0') != std::string_view::npos) {
        fail_with(error, "the command contains a NUL byte");
        return std::nullopt;
    }
    std::vector<std::string> words;
    std::size_t i = 0;
    for (;;) {
        while (i < text.size() && is_blank(text[i])) ++i;
        if (i >= text.size()) break;
        // A backslash-newline between words is only a line continuation.
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
            i += 2;
            continue;
        }
        std::string word;
        if (!read_word(text, i, word, error)) return std::nullopt;
        words.push_back(std::move(word));
    }
    if (words.empty()) {
        fail_with(error, "empty command: write the program and its arguments, e.g. exec:ffmpeg -i INPUT -f mjpeg -");
        return std::nullopt;
    }
    if (words.front().empty()) {
        fail_with(error, "the program name is empty");
        return std::nullopt;
    }
    return words;
}

}  // namespace wscam
