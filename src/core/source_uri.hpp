#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace wscam {

/**
 * A source as the user writes it: `scheme:rest?key=value&key=value`
 * (`testsrc:?size=VGA&fps=30`, `v4l2:/dev/video0?fps=15`, `http://board:81/stream`).
 * Query values are percent-decoded; for network schemes (`http`, `https`, `ws`, `wss`)
 * the query stays part of the target and `params` is empty, and so does everything after
 * `exec:` (a command line, split into words by split_command_words).
 */
struct source_uri {
    std::string scheme;  // lower case
    std::string target;  // what follows "scheme:" without the query (network schemes: the whole URL)
    std::map<std::string, std::string> params;

    /** Parses `text`; returns nullopt and sets `error` when it is not a source URI. */
    static std::optional<source_uri> parse(std::string_view text, std::string* error = nullptr);

    /** A parameter's value, or nullopt when absent. */
    std::optional<std::string> param(const std::string& key) const;

    /**
     * A numeric parameter in [lo, hi], or `fallback` when absent. Throws std::invalid_argument
     * ("testsrc: fps=abc must be a number from 0.1 to 240") when present but not such a number.
     */
    double number(const std::string& key, double fallback, double lo, double hi) const;

    /** The URI without credentials or token parameters, for logs and /api. */
    std::string redacted() const;
};

/** Decodes %XX escapes and '+' as space; returns nullopt on a malformed escape. */
std::optional<std::string> percent_decode(std::string_view in);

}  // namespace wscam
