#pragma once

#include <optional>
#include <string>

namespace wscam {

/**
 * A file of the viewer, by its plain name (the router lets no '/', ".." or leading '.'
 * through): from `web_root` when one is set and holds the file (--web-root, for working on
 * the page without a rebuild), else the copy embedded at build time; nullopt when neither has it.
 */
std::optional<std::string> static_file(const std::string& web_root, const std::string& name);

}  // namespace wscam
