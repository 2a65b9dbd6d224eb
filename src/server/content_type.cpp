#include <array>
#include <utility>

#include "server/web_assets.hpp"

namespace wscam {

std::string_view content_type_for(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
    }};
    for (const auto& [ext, type] : types)
        if (name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext) return type;
    return "application/octet-stream";
}

}  // namespace wscam
