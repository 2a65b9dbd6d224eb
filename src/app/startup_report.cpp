#include "app/startup_report.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "app/service_notify.hpp"

namespace wscam {

void print_stream_list(const app_options& options, const std::vector<std::string>& described) {
    std::printf("%s: %zu stream(s)\n", options.config_file.empty() ? "command line" : options.config_file.c_str(),
                options.streams.size());
    const auto access = stream_access_table::from(options.server);
    for (std::size_t i = 0; i < options.streams.size(); ++i) {
        const auto& spec = options.streams[i];
        std::printf("  %-16s %s%s%s\n", spec.name.c_str(), described[i].c_str(),
                    spec.defaults.intake.always_on ? "  (always on)" : "",
                    access.view_token_for(spec.name).empty() ? "" : "  (view token)");
    }
}

void report_serving(const server_config& config, std::uint16_t http_port, std::optional<std::uint16_t> ws_port,
                    std::uint16_t rtsp_port, std::size_t streams) {
    const auto& listen = config.listen_address;
    const bool any = listen == "0.0.0.0" || listen == "::";
    const std::string host = any ? "127.0.0.1" : (listen.find(':') != std::string::npos ? "[" + listen + "]" : listen);
    const bool tls = config.tls();
    std::printf("open %s://%s:%u/\n", tls ? "https" : "http", host.c_str(), static_cast<unsigned>(http_port));
    if (ws_port)
        std::printf("websocket-only listener %s://%s:%u/\n", tls ? "wss" : "ws", host.c_str(), static_cast<unsigned>(*ws_port));
    if (rtsp_port) std::printf("rtsp rtsp://%s:%u/NAME\n", host.c_str(), static_cast<unsigned>(rtsp_port));
    std::fflush(stdout);
    service::ready(fmt::format("serving {}://{}:{}/, {} stream(s)", tls ? "https" : "http", host, http_port, streams));
}

}  // namespace wscam
