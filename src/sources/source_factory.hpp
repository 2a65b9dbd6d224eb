#pragma once

#include <memory>
#include <string>

#include "core/stream.hpp"
#include "core/source.hpp"
#include "sources/io_contexts.hpp"
#include "sources/source_options.hpp"
#include "sources/test_card_source.hpp"

namespace wscam {

/** Settings from the command line that a source URI's own parameters override. */
struct source_defaults {
    test_card_options pattern;
    intake_options intake;
    bool operator==(const source_defaults&) const = default;
};

/** The scheme list, for messages and help. */
inline constexpr const char* supported_schemes =
    "testsrc:, v4l2:, file:, pipe:, exec:, http://, https://, ws://, wss://, push:";

/**
 * Builds the source a URI names, feeding `hub`:
 * `testsrc:`, `file:PATH`, `pipe:-`/`pipe:PATH`, `exec:COMMAND ARG…`, `http(s)://…`, `ws(s)://…`, `push:`.
 * Throws std::invalid_argument with a message a user can act on (unknown scheme, bad parameter).
 * Sources that wait on sockets, pipes and timers (network cameras, programs, pipes, files) run
 * on the contexts `io` hands out (the server's), or on a thread each without.
 */
std::unique_ptr<source> make_source(const std::string& uri, std::shared_ptr<stream> hub,
                                    const source_defaults& defaults, const io_context_picker& io = {});

}  // namespace wscam
