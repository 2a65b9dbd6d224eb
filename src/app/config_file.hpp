#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/usage_error.hpp"
#include "motion/motion_settings.hpp"

namespace wscam {

/** A config file that cannot be used: the message starts with the file, and its line (and column) where there is one. */
class config_file_error : public usage_error {
public:
    using usage_error::usage_error;
};

/** One top-level `key = value` of the file: a command-line option written another way. */
struct config_setting {
    std::string option;               // its long name, with dashes: "max-connections-per-ip"
    std::vector<std::string> values;  // one per array element; a bool is "true"/"false"
    bool boolean = false;
    std::string where;                // FILE:LINE, for messages
};

/** One `[[stream]]` table. */
struct config_stream {
    std::string name;
    std::string source;
    std::optional<std::string> view_token, control_token, publish_token;
    std::optional<bool> always_on;
    std::optional<std::string> size;
    std::optional<double> fps;
    std::optional<int> quality;
    std::optional<std::string> record, record_codec;  // checked: record::parse_mode, parse_codec
    std::optional<std::string> record_max_age, record_max_bytes;  // checked: record::parse_age, parse_bytes
    std::optional<std::string> timelapse;  // checked: record::parse_timelapse
    // motion, motion_threshold, motion_min_area, motion_mask, motion_cooldown: each checked (motion::check)
    std::optional<bool> motion;
    std::optional<int> motion_threshold;
    std::optional<double> motion_min_area;
    std::optional<std::vector<motion::polygon>> motion_mask;
    std::optional<std::chrono::milliseconds> motion_cooldown;
    std::string where;  // FILE:LINE of the table
};

/** One `[[webhook]]` table: where events are POSTed. */
struct config_webhook {
    std::string url;                   // http:// or https://, checked by the caller (a URL parser it has)
    std::string secret;                // the HMAC key of X-Wscam-Signature-256; empty: unsigned
    std::vector<std::string> streams;  // only these streams' events; empty: every stream's
    double timeout_s = 5;              // each attempt
    int retries = 3;                   // after the first attempt
    std::string where;                 // FILE:LINE of the table
};

struct config_document {
    std::vector<config_setting> settings;
    std::vector<config_stream> streams;
    std::vector<config_webhook> webhooks;
};

/**
 * Reads a wscam TOML config: top-level keys are the long command-line options (dashes or
 * underscores), each `[[stream]]` is a camera. Checks the syntax, the types and the stream
 * tables (known keys, name and source present, names unique); whether a top-level key is an
 * option is for the caller (it knows the options). Throws config_file_error.
 */
config_document parse_config(std::string_view text, const std::string& path);
config_document read_config_file(const std::string& path);

}  // namespace wscam
