#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/config_file.hpp"
#include "motion/motion_settings.hpp"
#include "record/recording_options.hpp"
#include "record/retention.hpp"
#include "server/server_config.hpp"
#include "sources/source_factory.hpp"

namespace wscam {

/** How a stream is recorded: --record and --record-codec, or its table's record and record_codec. */
struct stream_recording {
    record::mode mode = record::mode::off;
    record::codec codec = record::codec::h264;
    record::keep_limits keep;  // record_max_age, record_max_bytes
    std::int64_t timelapse_s = 0;  // --timelapse, timelapse: seconds between its pictures (0: none)
    std::optional<motion::settings> motion;  // --motion, motion = true: how it looks for motion; nullopt: it does not
    motion::settings motion_defaults;         // --motion-threshold, --motion-min-area, --motion-cooldown
    bool operator==(const stream_recording&) const = default;
};

/** One stream to serve: its source, with the command line's defaults and its own settings. */
struct stream_spec {
    std::string name;
    std::string uri;
    source_defaults defaults;
    std::string where;  // "--stream", "--source" or FILE:LINE, for messages
    stream_recording recording;
};

/** What names the streams to serve. */
struct stream_requests {
    std::string source;                 // --source (its default unless given)
    bool source_given = false;          // typed or set in the config file
    bool cluster = false;               // --nats: a node may serve only the other nodes' streams
    std::vector<config_stream> tables;  // the config file's [[stream]] tables
    std::vector<std::string> named;     // --stream NAME=URI, in order
};

/**
 * The streams to serve, in order (the first is the one `/` shows): --source (when given, or
 * when nothing else names a stream and this is no cluster node: the test pattern), the
 * file's tables, then each --stream, which replaces a stream of the same name. A stream's
 * defaults are `defaults` with its table's settings over them, joined (below).
 * Throws usage_error for a table's bad size or a --stream that is not NAME=URI.
 */
std::vector<stream_spec> stream_specs_from(const stream_requests& requests, const source_defaults& defaults,
                                           const server_config& server, const stream_recording& recording = {});

/** The tables' own tokens (view_token, control_token) by stream, used in place of the server-wide ones. */
std::map<std::string, server_config::stream_tokens> stream_tokens_from(const std::vector<config_stream>& tables);

/**
 * `d` with the settings it holds twice made one: the intake half (files, network cameras,
 * programs, publishers) takes the frame rate and always_on of the test-pattern half, where
 * the options and tables set them, and the frame limits of `server`, where the options set
 * them for publishers. The only place these are copied.
 */
source_defaults joined(source_defaults d, const server_config& server);

}  // namespace wscam
