#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "app/config_file.hpp"

namespace wscam {

/*
 * A --config file merged under the command line: its settings become arguments placed before
 * the command line's, so a typed option wins over the file's as a repeated option wins over
 * an earlier one. Each setting is checked against the options themselves: a known long
 * option, true/false for a flag and a value for the others, a list only where the option
 * takes one. Nothing here knows an option by name.
 */

/** The file the last `--config FILE` or `--config=FILE` of `args` names; "" without one. */
std::string config_path_in(const std::vector<std::string>& args);

/** The file's settings as arguments of `cli`, in the file's order; throws config_file_error (FILE:LINE: why). */
std::vector<std::string> config_arguments(const config_document& file, const CLI::App& cli);

/** "(FILE:LINE sets OPTION)" for each setting of the file that a CLI11 error `message` names: where a bad value came from. */
std::vector<std::string> settings_named_in(const std::string& message, const config_document& file);

}  // namespace wscam
