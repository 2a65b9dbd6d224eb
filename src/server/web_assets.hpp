#pragma once

#include <string>
#include <string_view>

namespace wscam {

/** A viewer file embedded into the binary at build time (generated from src/web/). */
struct web_asset {
    std::string_view name;
    std::string_view body;
};

/** The embedded file called `name` (e.g. "index.html"), or null. */
const web_asset* find_web_asset(std::string_view name);

/** Content-Type for a file name, by its extension. */
std::string_view content_type_for(std::string_view name);

}  // namespace wscam
