#pragma once

#include <string>

namespace wscam {

/**
 * Something that produces frames into a stream: on a thread of its own, or as a coroutine
 * on one of the server's I/O contexts (sources/source_loop).
 * start() returns at once; stop() returns once the source has stopped publishing.
 */
class source {
public:
    virtual ~source() = default;
    virtual void start() = 0;
    virtual void stop() = 0;
    /** For logs and /api: what this source reads from, without secrets. */
    virtual std::string describe() const = 0;
};

}  // namespace wscam
