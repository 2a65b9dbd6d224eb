// wscam: options, logging, the stream and its source, the server, signals. Nothing else.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "app/options.hpp"
#include "app/probe.hpp"
#include "server/server.hpp"
#include "sources/source_factory.hpp"
#include "sources/v4l2_source.hpp"

int main(int argc, char** argv) {
    wscam::app_options options;
    int exit_code = 0;
    if (!wscam::parse_options(argc, argv, options, exit_code)) return exit_code;
    // Logs go to stderr; stdout carries only the URLs to open.
    spdlog::set_default_logger(spdlog::stderr_color_mt("wscam"));
    spdlog::set_level(spdlog::level::from_str(options.log_level));
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");

    try {
        if (options.list_devices) {
            std::fputs(wscam::list_v4l2_devices(options.json).c_str(), stdout);
            return 0;
        }
        if (options.probe) return wscam::run_probe(options);

        auto streams = std::make_shared<wscam::stream_registry>();
        std::vector<std::unique_ptr<wscam::source>> sources;
        for (const auto& spec : options.streams) {
            auto hub = streams->add(spec.name);
            try {
                sources.push_back(wscam::make_source(spec.uri, hub, spec.defaults));
            } catch (const std::invalid_argument& e) {
                // A source URI a user wrote: where, which stream, why; a usage error.
                std::fprintf(stderr, "%s: stream %s: %s\n", spec.where.c_str(), spec.name.c_str(), e.what());
                return 2;
            }
            if (!options.check_config) spdlog::info("stream={} source={}", spec.name, sources.back()->describe());
        }
        if (options.check_config) {
            std::printf("%s: %zu stream(s)\n", options.config_file.empty() ? "command line" : options.config_file.c_str(),
                        options.streams.size());
            for (std::size_t i = 0; i < options.streams.size(); ++i) {
                const auto& spec = options.streams[i];
                const auto& tokens = options.server;
                std::printf("  %-16s %s%s%s\n", spec.name.c_str(), sources[i]->describe().c_str(),
                            spec.defaults.intake.always_on ? "  (always on)" : "",
                            tokens.view_token_for(spec.name).empty() ? "" : "  (view token)");
            }
            return 0;
        }

        wscam::server server(options.server, streams);
        server.start();
        server.stop_on_signals();
        for (auto& s : sources) s->start();

        const auto& listen = options.server.listen_address;
        const bool any = listen == "0.0.0.0" || listen == "::";
        const std::string host = any ? "127.0.0.1" : (listen.find(':') != std::string::npos ? "[" + listen + "]" : listen);
        // The lines a user (and the tests) look for; stdout, flushed.
        const bool tls = options.server.tls();
        std::printf("open %s://%s:%u/\n", tls ? "https" : "http", host.c_str(), static_cast<unsigned>(server.http_port()));
        if (server.ws_port())
            std::printf("websocket-only listener %s://%s:%u/\n", tls ? "wss" : "ws", host.c_str(),
                        static_cast<unsigned>(*server.ws_port()));
        std::fflush(stdout);

        server.run();
        for (auto& s : sources) s->stop();
        spdlog::info("stopped");
        return 0;
    } catch (const wscam::config_error& e) {
        spdlog::error("{}", e.what());
        return 2;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
}
