#include "server/static_files.hpp"

#include <fstream>
#include <sstream>

#include "server/web_assets.hpp"

namespace wscam {

std::optional<std::string> static_file(const std::string& web_root, const std::string& name) {
    if (!web_root.empty()) {
        std::ifstream file(web_root + "/" + name, std::ios::binary);
        if (file) {
            std::ostringstream body;
            body << file.rdbuf();
            return body.str();
        }
    }
    if (const auto* asset = find_web_asset(name)) return std::string(asset->body);
    return std::nullopt;
}

}  // namespace wscam
