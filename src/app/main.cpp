// wscam: options, logging, the stream and its source, the server, signals. Nothing else.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "app/options.hpp"
#include "server/server.hpp"
#include "sources/source_factory.hpp"

int main(int argc, char** argv) {
    wscam::app_options options;
    int exit_code = 0;
    if (!wscam::parse_options(argc, argv, options, exit_code)) return exit_code;
    // Logs go to stderr; stdout carries only the URLs to open.
    spdlog::set_default_logger(spdlog::stderr_color_mt("wscam"));
    spdlog::set_level(spdlog::level::from_str(options.log_level));
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");

    try {
        auto streams = std::make_shared<wscam::stream_registry>();
        auto hub = streams->add(options.server.default_stream);
        auto source = wscam::make_source(options.source, hub, options.defaults);

        wscam::server server(options.server, streams);
        server.start();
        server.stop_on_signals();
        source->start();

        const auto& listen = options.server.listen_address;
        const bool any = listen == "0.0.0.0" || listen == "::";
        const std::string host = any ? "127.0.0.1" : (listen.find(':') != std::string::npos ? "[" + listen + "]" : listen);
        spdlog::info("stream={} source={}", hub->name(), source->describe());
        // The lines a user (and the tests) look for; stdout, flushed.
        std::printf("open http://%s:%u/\n", host.c_str(), static_cast<unsigned>(server.http_port()));
        if (server.ws_port())
            std::printf("websocket-only listener ws://%s:%u/\n", host.c_str(), static_cast<unsigned>(*server.ws_port()));
        std::fflush(stdout);

        server.run();
        source->stop();
        spdlog::info("stopped");
        return 0;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
}
