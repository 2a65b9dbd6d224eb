#include "core/command_words.hpp"

#include <algorithm>
#include <cctype>

namespace wscam {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

bool fail(std::string* error, std::string message) {
    if (error) *error = std::move(message);
    return false;
}

/** Reads one word starting at `i` (not at a blank); moves `i` past it. */
bool read_word(std::string_view text, std::size_t& i, std::string& word, std::string* error) {
    while (i < text.size() && !is_blank(text[i])) {
        const char c = text[i];
        if (c == '\'') {
            const auto close = text.find('\'', i + 1);
            if (close == std::string_view::npos)
                return fail(error, "unterminated single quote (opened at character " + std::to_string(i + 1) + ")");
            word.append(text.substr(i + 1, close - i - 1));
            i = close + 1;
        } else if (c == '"') {
            const std::size_t open = i++;
            for (;;) {
                if (i >= text.size())
                    return fail(error, "unterminated double quote (opened at character " + std::to_string(open + 1) + ")");
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
            if (i + 1 >= text.size()) return fail(error, "ends with a lone backslash");
            if (text[i + 1] != '\n') word.push_back(text[i + 1]);
            i += 2;
        } else {
            word.push_back(c);
            ++i;
        }
    }
    return true;
}

bool secret_name(std::string_view name) {
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* hint : {"token", "pass", "secret", "auth"})
        if (lower.find(hint) != std::string::npos) return true;
    return lower.size() >= 3 && lower.compare(lower.size() - 3, 3, "key") == 0;
}

bool ends_value(char c) { return is_blank(c) || c == '\'' || c == '"' || c == '&'; }

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

}  // namespace

std::optional<std::vector<std::string>> split_command_words(std::string_view text, std::string* error) {
    if (text.find('\0') != std::string_view::npos) {
        fail(error, "the command contains a NUL byte");
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
        fail(error, "empty command: write the program and its arguments, e.g. exec:ffmpeg -i INPUT -f mjpeg -");
        return std::nullopt;
    }
    if (words.front().empty()) {
        fail(error, "the program name is empty");
        return std::nullopt;
    }
    return words;
}

std::string redact_command_line(std::string_view text) {
    std::string out(text);
    // scheme://user:pass@host -> scheme://***@host
    for (std::size_t at = out.find("://"); at != std::string::npos; at = out.find("://", at + 3)) {
        const std::size_t start = at + 3;
        std::size_t end = start;
        while (end < out.size() && !ends_value(out[end]) && out[end] != '/' && out[end] != '?' && out[end] != '#') ++end;
        const auto user_end = std::string_view(out).substr(start, end - start).rfind('@');
        if (user_end != std::string_view::npos) out.replace(start, user_end, "***");
    }
    // NAME=value where NAME looks secret -> NAME=***
    for (std::size_t eq = out.find('='); eq != std::string::npos; eq = out.find('=', eq + 1)) {
        std::size_t name_start = eq;
        while (name_start > 0 && name_char(out[name_start - 1])) --name_start;
        if (!secret_name(std::string_view(out).substr(name_start, eq - name_start))) continue;
        std::size_t end = eq + 1;
        while (end < out.size() && !ends_value(out[end])) ++end;
        out.replace(eq + 1, end - eq - 1, "***");
    }
    return out;
}

}  // namespace wscam
