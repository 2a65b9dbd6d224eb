#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/stream.hpp"
#include "sources/coroutine_source.hpp"
#include "sources/io_contexts.hpp"
#include "sources/source_options.hpp"

namespace wscam {

/**
 * `file:DIR` (every .jpg/.jpeg in name order) or `file:CLIP.mjpeg` (concatenated JPEGs),
 * played at `fps`, looping unless `loop=0`. Plays only while someone watches. Paced by a
 * timer on one of the server's I/O contexts (`io`), or on a thread of its own without one.
 */
class file_source : public coroutine_source {
public:
    file_source(std::shared_ptr<stream> hub, std::filesystem::path path, intake_options options,
                const io_context_picker& io = {});
};

}  // namespace wscam
