#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "app/options.hpp"
#include "app/stream_set.hpp"

namespace wscam {

class server;

/**
 * What SIGHUP does to a running wscam: reads the command line and its --config file again
 * and applies the difference on its own thread (stopping a source may take a moment; the
 * I/O threads never wait for it). A file that does not parse, or a stream whose source URI
 * cannot be used, is refused with a log line and the running configuration kept.
 */
class config_reloader {
public:
    /** `applied` runs after the streams changed, with the new options (the recordings follow them). */
    config_reloader(int argc, char** argv, app_options started, stream_set& streams, server& srv,
                    std::function<void(const app_options&)> applied = {});
    ~config_reloader();
    config_reloader(const config_reloader&) = delete;
    config_reloader& operator=(const config_reloader&) = delete;

    /** Asks for a reload; returns at once (called on an I/O thread). Requests made meanwhile fold into one. */
    void request();

private:
    void run(std::stop_token stop);
    void reload();
    std::string status_line() const;

    int argc_;
    char** argv_;
    const app_options started_;  // what wscam started with
    std::string log_level_;
    stream_set& streams_;
    server& server_;
    std::function<void(const app_options&)> applied_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    bool pending_ = false;
    std::jthread thread_;  // last: starts after everything it uses
};

}  // namespace wscam
