#pragma once

#include <string>
#include <vector>

#include "server/server.hpp"
#include "sources/source_factory.hpp"

namespace wscam {

/** One stream to serve: its source, with the command line's defaults and its own settings. */
struct stream_spec {
    std::string name;
    std::string uri;
    source_defaults defaults;
    std::string where;  // "--stream", "--source" or FILE:LINE, for messages
};

/** Everything the command line (and a --config file) says, validated. */
struct app_options {
    server_config server;
    /** Streams to serve, in order: the first is the one `/` and `/ws` show. */
    std::vector<stream_spec> streams;
    source_defaults defaults;
    std::string config_file;
    bool check_config = false;
    std::string log_level = "info";
    bool probe = false;
    bool list_devices = false;
    bool json = false;
    double probe_seconds = 10;
};

/**
 * Parses argv (after the settings of `--config FILE`, which the command line overrides). Returns 0 to go on, or an exit code after printing help (0), the version
 * (0) or a usage error (2); `exit_code` is set accordingly.
 */
bool parse_options(int argc, char** argv, app_options& out, int& exit_code);

}  // namespace wscam
