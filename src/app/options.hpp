#pragma once

#include <string>
#include <vector>

#include "server/server.hpp"
#include "sources/source_factory.hpp"

namespace wscam {

/** Everything the command line says, validated. */
struct app_options {
    server_config server;
    /** Streams to serve, in order: the first is the one `/` and `/ws` show. */
    std::vector<std::pair<std::string, std::string>> streams;  // name, source URI
    source_defaults defaults;
    std::string log_level = "info";
    bool probe = false;
    bool list_devices = false;
    bool json = false;
    double probe_seconds = 10;
};

/**
 * Parses argv. Returns 0 to go on, or an exit code after printing help (0), the version
 * (0) or a usage error (2); `exit_code` is set accordingly.
 */
bool parse_options(int argc, char** argv, app_options& out, int& exit_code);

}  // namespace wscam
