#pragma once
// What make_source says about a URI, for tests of its messages.
#include <memory>
#include <stdexcept>
#include <string>

#include "core/stream.hpp"
#include "sources/source_factory.hpp"

namespace wscam::testing {

/** make_source's std::invalid_argument message for `uri` on `hub`, or "accepted". */
inline std::string source_error(const std::string& uri, const std::shared_ptr<stream>& hub) {
    try {
        make_source(uri, hub, {});
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "accepted";
}

}  // namespace wscam::testing
