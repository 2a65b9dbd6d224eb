#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/options.hpp"

namespace wscam {

/*
 * What wscam says about itself at start, on stdout (the logs go to stderr): the lines a user
 * reads and the tests look for, so their wording is an interface.
 */

/** --check-config: where the settings came from, then each stream with its source's `described` text and its flags. */
void print_stream_list(const app_options& options, const std::vector<std::string>& described);

/**
 * "open http(s)://HOST:PORT/" (and the WebSocket-only listener, and "rtsp rtsp://HOST:PORT/NAME"
 * when `rtsp_port` is not 0), flushed; then systemd hears the service is ready.
 */
void report_serving(const server_config& config, std::uint16_t http_port, std::optional<std::uint16_t> ws_port,
                    std::uint16_t rtsp_port, std::size_t streams);

}  // namespace wscam
