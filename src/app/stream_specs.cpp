#include "app/stream_specs.hpp"

#include "app/usage_error.hpp"
#include "core/frame_size.hpp"

namespace wscam {
namespace {

// A table's settings over the command line's.
source_defaults with_table(source_defaults d, const config_stream& table) {
    if (table.always_on) d.pattern.always_on = *table.always_on;
    if (table.fps) d.pattern.fps = *table.fps;
    if (table.quality) d.pattern.quality = *table.quality;
    if (table.publish_token) d.intake.publish_token = *table.publish_token;
    if (table.size) {
        std::string error;
        const auto size = parse_frame_size(*table.size, &error);
        if (!size) throw usage_error(table.where + ": stream " + table.name + ": size: " + error);
        d.pattern.size = *size;
    }
    return d;
}

// A table's recording over the command line's (parse_config checked the names).
stream_recording with_table(stream_recording r, const config_stream& table) {
    if (table.record) r.mode = *record::parse_mode(*table.record);
    if (table.record_codec) r.codec = *record::parse_codec(*table.record_codec);
    if (table.record_max_age) r.keep.max_age_us = *record::parse_age(*table.record_max_age);
    if (table.record_max_bytes) r.keep.max_bytes = *record::parse_bytes(*table.record_max_bytes);
    if (table.timelapse) r.timelapse_s = *record::parse_timelapse(*table.timelapse);
    // The motion keys tune detection whether or not this table turns it on (--motion may).
    if (table.motion) r.motion = *table.motion ? std::optional(r.motion.value_or(r.motion_defaults)) : std::nullopt;
    if (r.motion) {
        if (table.motion_threshold) r.motion->threshold = *table.motion_threshold;
        if (table.motion_min_area) r.motion->min_area = *table.motion_min_area;
        if (table.motion_cooldown) r.motion->cooldown = *table.motion_cooldown;
        if (table.motion_mask) r.motion->mask = *table.motion_mask;
    }
    return r;
}

}  // namespace

source_defaults joined(source_defaults d, const server_config& server) {
    d.intake.fps = d.pattern.fps;
    d.intake.always_on = d.pattern.always_on;
    d.intake.max_frame_bytes = server.max_frame_bytes;
    d.intake.max_frame_pixels = server.max_frame_pixels;
    return d;
}

std::vector<stream_spec> stream_specs_from(const stream_requests& requests, const source_defaults& defaults,
                                           const server_config& server, const stream_recording& recording) {
    std::vector<stream_spec> specs;
    auto add = [&](std::string name, std::string uri, const source_defaults& d, std::string where,
                   const stream_recording& r) {
        stream_spec spec{std::move(name), std::move(uri), joined(d, server), std::move(where), r};
        for (auto& existing : specs)
            if (existing.name == spec.name) {
                existing = std::move(spec);
                return;
            }
        specs.push_back(std::move(spec));
    };
    const bool nothing_else = requests.named.empty() && requests.tables.empty() && !requests.cluster;
    if (nothing_else || requests.source_given) add("default", requests.source, defaults, "--source", recording);
    for (const auto& table : requests.tables)
        add(table.name, table.source, with_table(defaults, table), table.where, with_table(recording, table));
    for (const auto& named : requests.named) {
        const auto eq = named.find('=');
        if (eq == std::string::npos || eq == 0) throw usage_error("--stream: '" + named + "' is not NAME=URI");
        add(named.substr(0, eq), named.substr(eq + 1), defaults, "--stream", recording);
    }
    return specs;
}

std::map<std::string, server_config::stream_tokens> stream_tokens_from(const std::vector<config_stream>& tables) {
    std::map<std::string, server_config::stream_tokens> tokens;
    for (const auto& table : tables)
        if (table.view_token || table.control_token) tokens[table.name] = {table.view_token, table.control_token};
    return tokens;
}

}  // namespace wscam
