#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace wscam {

/**
 * Serialises JSON for the wire or an API. Text in it may have come from outside; it is
 * sanitised where it enters, and this replaces any invalid UTF-8 that slipped through
 * instead of throwing (nlohmann's default), so no reply can take a thread down.
 */
inline std::string to_json_text(const nlohmann::json& j, int indent = -1) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace wscam
