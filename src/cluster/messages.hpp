#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/jpeg_codec.hpp"

namespace wscam::cluster {

/** One stream a node owns, as its announce describes it. */
struct announced_stream {
    std::string name;
    bool online = false;
    std::string reason;   // why it is offline (the owner's words)
    std::string message;  // the camera's own latest text, if any
    std::uint16_t width = 0;
    std::uint16_t height = 0;
    double fps = 0;
    std::string source;  // the owner's stream_info.source, never a secret
    // What watching and controlling it need on every node: verifiers of the owner's tokens
    // (core/token_check), never the tokens; empty: the owner requires none.
    std::string view_check = {}, control_check = {};
    // The node records it now (a stream two nodes serve is recorded by one: cluster_state::should_record).
    bool recording = false;

    bool operator==(const announced_stream&) const = default;
};

/**
 * A node's heartbeat on `<prefix>.announce`: who it is (name and run), the streams it owns,
 * and how many of its viewers watch each remote stream (its interest, for capture on demand).
 */
struct announce {
    std::string node;
    std::uint64_t epoch = 0;  // unix_now_us() when the node's cluster started: one run of the node
    std::uint64_t seq = 0;    // one more per announce of this run
    bool leaving = false;     // the node is shutting down cleanly
    std::vector<announced_stream> streams;
    std::map<std::string, std::size_t> watching;  // remote stream -> viewers on this node
    std::string url = {};  // where the node serves clients (--advertise-url): other nodes send its streams' recordings requests there; empty: not said

    bool operator==(const announce&) const = default;
};

/** Bounds of an announce from outside. */
inline constexpr std::size_t max_announce_bytes = 256 * 1024;
inline constexpr std::size_t max_announced_streams = 1024;  // also for `watching`
inline constexpr std::size_t max_watching_viewers = 1'000'000;  // per stream and node
inline constexpr double max_announced_fps = 1000;

/** The announce as JSON (`{"v":1,"node":…,"epoch":…,"seq":…,"leaving":…,"streams":[…],"watching":{…}}`). */
std::string encode_announce(const announce& a);

/**
 * Reads an announce from another node. Never throws. Refuses (nullopt, and `*error` says why)
 * anything over the bounds above, another version, an invalid node or stream name, a stream
 * named twice, a non-finite fps or one outside 0..1000, a size over 65535, a `view_check` or
 * `control_check` that is not a token verifier; texts are sanitised
 * (core/text.hpp). Unknown fields are ignored.
 */
std::optional<announce> parse_announce(std::string_view text, std::string* error = nullptr);

/** NATS headers of a frame message: the owner's node name and epoch (decimal). */
inline constexpr char header_node[] = "Wscam-Node";
inline constexpr char header_epoch[] = "Wscam-Epoch";

/** A frame message from an owner that passed check_relayed_frame; `jpeg` points into its bytes. */
struct relayed_frame {
    std::uint16_t width = 0;
    std::uint16_t height = 0;
    std::uint64_t sequence = 0;
    std::int64_t capture_us = 0;
    std::span<const std::uint8_t> jpeg;
};

/**
 * Checks a frame message (a wscam.v1 binary frame: 32-byte header, then the JPEG) as strictly as
 * a camera's frame (frame_intake): whoever can publish on the cluster's NATS can send one, so
 * "the owner checked it" proves nothing. Refuses a short or non-JPEG header, a JPEG over
 * `max_frame_bytes` or without FF D8 … FF D9, a zero width or height, more than `max_pixels`,
 * sequence 0 (hubs number from 1), and, reading the JPEG's own header with `decoder`, a JPEG
 * TurboJPEG cannot read or whose size is not the one the frame header says (a 16x16 header on a
 * 16000x16000 JPEG is a decompression bomb for every decoder downstream); `*why` says which.
 */
std::optional<relayed_frame> check_relayed_frame(std::span<const std::uint8_t> bytes, std::size_t max_frame_bytes,
                                                 std::uint64_t max_pixels, jpeg_decoder& decoder,
                                                 std::string* why = nullptr);

/**
 * An address a node serves clients at (`--advertise-url`, an announce's "url"): http:// or
 * https://, a host of [A-Za-z0-9.-] or a bracketed IPv6 address, an optional port, nothing
 * else (no path, no user, no query), at most 200 characters. It goes into other nodes' Location
 * headers, so nothing more may pass.
 */
bool valid_advertise_url(std::string_view url);

/** Node names: 1-64 characters of [A-Za-z0-9_.-]. */
bool valid_node_name(std::string_view name);

/** A node name from a host name: every other character becomes '-', cut to 64; empty gives "wscam". */
std::string node_name_from_host(std::string host);

}  // namespace wscam::cluster
