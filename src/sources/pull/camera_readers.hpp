#pragma once

// Internal to the pull sources: the two ways a camera is read once connected.
#include "sources/pull/beast.hpp"
#include "sources/pull/pull_connection.hpp"

namespace wscam::pull {

/** Multipart MJPEG, a byte stream of JPEGs, or a single JPEG polled at fps, over HTTP on a connected stream. */
awaitable<void> read_http_camera(beast::tcp_stream& stream, pull_connection& connection);
awaitable<void> read_http_camera(tls_stream& stream, pull_connection& connection);

/** One JPEG per binary WebSocket message on a connected stream (handshake included). */
awaitable<void> read_ws_camera(beast::tcp_stream& stream, pull_connection& connection);
awaitable<void> read_ws_camera(tls_stream& stream, pull_connection& connection);

}  // namespace wscam::pull
