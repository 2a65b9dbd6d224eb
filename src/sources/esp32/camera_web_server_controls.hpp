#pragma once

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/stream.hpp"
#include "sources/esp32/camera_web_server.hpp"
#include "sources/network_url.hpp"

namespace wscam::esp32 {

/**
 * The controls of an ESP32 running Espressif's CameraWebServer, as a stream's controllable:
 * found by asking the board's `/status`, changed with `/control?var=&val=`. Every request runs
 * asynchronously on the pull source's I/O context (it never blocks it), one connection each, bounded by a
 * timeout; a refusal or a board that does not answer is an error for the viewer who asked.
 */
class camera_web_server_controls : public controllable,
                                   public std::enable_shared_from_this<camera_web_server_controls> {
public:
    static constexpr auto request_timeout = std::chrono::seconds(3);
    static constexpr int max_in_flight = 8;

    /** `base`: the board's control API (http://HOST/ by default; the stream's `#control=` overrides it). */
    camera_web_server_controls(const boost::asio::any_io_executor& executor, std::shared_ptr<stream> hub,
                               network_url base);
    ~camera_web_server_controls() override;

    std::vector<control_info> controls() const override;
    void set_control(const std::string& id, double value, control_callback done) override;

    /** Reads /status again (the stream came online; a board that rebooted has its defaults). */
    void refresh();
    /** The controls leave the stream (the source stops). */
    void detach();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/**
 * Where a stream's control API is, from its URL: the fragment's `control=URL` or
 * `control=none`, else port 80 of the same host (CameraWebServer serves /stream on 81 and
 * its API on 80). nullopt when there is none; `error` set when `control=` is not a URL.
 */
std::optional<network_url> control_base_for(const network_url& stream, std::string* error = nullptr);

}  // namespace wscam::esp32
