#include "core/redaction.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace wscam {
namespace {

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'; }

// Where a NAME=value's value ends inside a word.
bool ends_value(char c) { return is_blank(c) || c == '\'' || c == '"' || c == '&'; }

// Where a header's value ends inside a word: the closing quote, or a line break written
// either for real or as the `\r\n` escape that ffmpeg's -headers and curl users write.
bool ends_header_value(std::string_view w, std::size_t i) {
    const char c = w[i];
    if (c == '\\') return i + 1 < w.size() && (w[i + 1] == 'r' || w[i + 1] == 'n');
    return c == '\'' || c == '"' || c == '\r' || c == '\n';
}

bool header_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }

// "Name:" ending a word, with a secret name: the value is in the words after it (a log line's
// "> Authorization: Basic …", as curl -v writes it).
bool secret_header_alone(std::string_view w) {
    if (w.size() < 2 || w.back() != ':') return false;
    std::size_t start = w.size() - 1;
    while (start > 0 && header_name_char(w[start - 1])) --start;
    const auto name = w.substr(start, w.size() - 1 - start);
    return !name.empty() && name.front() != '-' && is_secret_name(name);
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct span {
    std::size_t begin, end;
};

// The words of a command line as written, quotes included. A quote with no closing quote is
// an ordinary character: log lines are not command lines ("can't open").
std::vector<span> raw_words(std::string_view text) {
    std::vector<span> words;
    std::size_t i = 0;
    for (;;) {
        while (i < text.size() && is_blank(text[i])) ++i;
        if (i >= text.size()) return words;
        const std::size_t begin = i;
        while (i < text.size() && !is_blank(text[i])) {
            const char c = text[i];
            if (c == '\'' || c == '"') {
                const auto close = text.find(c, i + 1);
                if (close != std::string_view::npos) {
                    i = close + 1;
                    continue;
                }
            }
            i += c == '\\' && i + 1 < text.size() ? 2 : 1;
        }
        words.push_back({begin, i});
    }
}

// The word without quotes and backslashes: enough to recognise an option.
std::string unquoted(std::string_view word) {
    std::string out;
    for (const char c : word)
        if (c != '\'' && c != '"' && c != '\\') out.push_back(c);
    return out;
}

// scheme://user:pass@host -> scheme://***@host
void hide_userinfo(std::string& w) {
    for (std::size_t at = w.find("://"); at != std::string::npos; at = w.find("://", at + 3)) {
        const std::size_t start = at + 3;
        std::size_t end = start;
        while (end < w.size() && !ends_value(w[end]) && w[end] != '/' && w[end] != '?' && w[end] != '#') ++end;
        const auto user_end = std::string_view(w).substr(start, end - start).rfind('@');
        if (user_end != std::string_view::npos) w.replace(start, user_end, "***");
    }
}

// Name: value -> Name: *** for secret names (Authorization, Cookie, X-Api-Key).
void hide_header_values(std::string& w) {
    for (std::size_t colon = w.find(':'); colon != std::string::npos; colon = w.find(':', colon + 1)) {
        std::size_t name_start = colon;
        while (name_start > 0 && header_name_char(w[name_start - 1])) --name_start;
        const std::string_view name = std::string_view(w).substr(name_start, colon - name_start);
        // Header names do not start with a dash (-c:v, -q:v are ffmpeg's options) or end a scheme.
        if (name.empty() || name.front() == '-' || w.compare(colon, 3, "://") == 0 || !is_secret_name(name)) continue;
        std::size_t start = colon + 1;
        while (start < w.size() && w[start] == ' ') ++start;
        std::size_t end = start;
        while (end < w.size() && !ends_header_value(w, end)) ++end;
        if (end > start) w.replace(start, end - start, "***");
    }
}

// NAME=value -> NAME=*** for secret names (?token=, --password=, api_key=).
void hide_named_values(std::string& w) {
    for (std::size_t eq = w.find('='); eq != std::string::npos; eq = w.find('=', eq + 1)) {
        std::size_t name_start = eq;
        while (name_start > 0 && name_char(w[name_start - 1])) --name_start;
        if (!is_secret_name(std::string_view(w).substr(name_start, eq - name_start))) continue;
        std::size_t end = eq + 1;
        while (end < w.size() && !ends_value(w[end])) ++end;
        w.replace(eq + 1, end - eq - 1, "***");
    }
}

std::string rebuild(std::string_view text, const std::vector<span>& words, const std::vector<std::string>& shown) {
    std::string out;
    std::size_t at = 0;
    for (std::size_t i = 0; i < words.size(); ++i) {
        out.append(text.substr(at, words[i].begin - at));
        out.append(shown[i]);
        at = words[i].end;
    }
    out.append(text.substr(at));
    return out;
}

}  // namespace

bool is_secret_name(std::string_view name) {
    while (!name.empty() && name.front() == '-') name.remove_prefix(1);
    std::string n(name);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* hint : {"token", "pass", "secret", "auth", "cookie", "credential"})
        if (n.find(hint) != std::string::npos) return true;
    if (n.size() >= 3 && ends_with(n, "key")) return true;
    // curl's -u/--user/--proxy-user take user:password; sshpass's and mysql's -p a password.
    return n == "u" || n == "p" || n == "user" || ends_with(n, "-user") || ends_with(n, "_user");
}

std::string redact_command_line(std::string_view text) {
    // Secrets inside a word: userinfo, headers, NAME=value.
    auto words = raw_words(text);
    std::vector<std::string> shown;
    for (const auto& w : words) {
        std::string word(text.substr(w.begin, w.end - w.begin));
        hide_userinfo(word);
        hide_header_values(word);
        hide_named_values(word);
        shown.push_back(std::move(word));
    }
    // Secrets that are the word after their option (-u admin:pw), or glued to it (-uadmin:pw);
    // a header's value in the words after it, up to the line's end or an option.
    auto same_line = [&](std::size_t i) { return text.substr(words[i - 1].end, words[i].begin - words[i - 1].end).find('\n') == std::string_view::npos; };
    for (std::size_t i = 0; i < shown.size(); ++i) {
        if (secret_header_alone(shown[i])) {
            while (i + 1 < shown.size() && same_line(i + 1) && !unquoted(shown[i + 1]).starts_with('-')) shown[++i] = "***";
            continue;
        }
        const std::string option = unquoted(shown[i]);
        if (option.size() < 2 || option[0] != '-' || option.find('=') != std::string::npos) continue;
        if (option.size() > 2 && option[1] == 'u' && option.find(':') != std::string::npos) {
            shown[i] = "-u***";
            continue;
        }
        if (!is_secret_name(option) || i + 1 >= shown.size()) continue;
        // A next word that is itself an option is no value (curl --anyauth -u ...): it is looked at in turn.
        if (unquoted(shown[i + 1]).starts_with('-')) continue;
        shown[++i] = "***";
    }
    return rebuild(text, words, shown);
}

}  // namespace wscam
