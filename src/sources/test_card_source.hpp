#pragma once

#include <memory>

#include "core/stream.hpp"
#include "core/frame_size.hpp"
#include "core/source_uri.hpp"
#include "sources/coroutine_source.hpp"
#include "sources/io_contexts.hpp"

namespace wscam {

struct test_card_options {
    frame_size size{640, 480};
    double fps = 30;
    int quality = 80;
    int noise = 0;           // 0-100: per-pixel noise, to make frames as large as a real camera's
    bool always_on = false;  // keep rendering with no viewers
    bool operator==(const test_card_options&) const = default;
};

/** Reads `size`, `fps`, `quality`, `noise` from a `testsrc:` URI over `defaults`; throws std::invalid_argument. */
test_card_options test_card_options_from(const source_uri& uri, test_card_options defaults);

/**
 * The default camera (`testsrc:`, "the test pattern" to users): the test card at a steady
 * rate, only while someone watches (unless always_on). Paced by a timer on a source_loop (a
 * server I/O context, or its own thread without one); each frame is rendered and encoded on
 * the shared render_pool, so neither the I/O threads nor the thread count pay for it per stream.
 */
class test_card_source : public coroutine_source {
public:
    test_card_source(std::shared_ptr<stream> hub, test_card_options options, const io_context_picker& io = {});
};

}  // namespace wscam
