#include "sources/source_factory.hpp"

#include <stdexcept>

#include "core/source_uri.hpp"

namespace wscam {

std::unique_ptr<source> make_source(const std::string& text, std::shared_ptr<frame_hub> hub,
                                    const source_defaults& defaults) {
    std::string error;
    auto uri = source_uri::parse(text, &error);
    if (!uri) throw std::invalid_argument(error);
    if (uri->scheme == "testsrc")
        return std::make_unique<test_pattern_source>(std::move(hub), test_pattern_options_from(*uri, defaults.pattern));
    throw std::invalid_argument("source scheme '" + uri->scheme + ":' is not supported (supported: testsrc:)");
}

}  // namespace wscam
