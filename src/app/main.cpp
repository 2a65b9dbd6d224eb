// wscam: options, logging, the streams and their sources, the server, signals. Nothing else.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <cstdio>
#include <functional>
#include <optional>

#include "app/config_reload.hpp"
#include "app/options.hpp"
#include "app/service_notify.hpp"
#include "app/stream_set.hpp"
#include "cluster/cluster_node.hpp"
#include "cluster/nats_link.hpp"
#include "app/probe.hpp"
#include "server/server.hpp"
#include "sources/v4l2/device_list.hpp"

int main(int argc, char** argv) {
    // Frames (hundreds of KB each) get pages of their own and give them back when freed. glibc's
    // default raises its mmap threshold after the first such free, after which frames live in
    // the arenas: once a burst of stalled viewers has held many of them, the freed space is
    // faulted back in by later frames and the process creeps back towards its peak (node.memory
    // saw +1 to +7 MiB after trimming; with a fixed threshold, +1 MiB and no trim needed).
    ::mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    wscam::app_options options;
    int exit_code = 0;
    if (!wscam::parse_options(argc, argv, options, exit_code)) return exit_code;
    // Logs go to stderr; stdout carries only the URLs to open.
    spdlog::set_default_logger(spdlog::stderr_color_mt("wscam"));
    spdlog::set_level(spdlog::level::from_str(options.log_level));
    spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");

    // nats.c's own threads and memory go last, after every cluster link (LeakSanitizer checks).
    struct nats_library {
        bool used = false;
        ~nats_library() {
            if (used) wscam::cluster::nats_link::shutdown_library();
        }
    } nats;
    nats.used = !options.nats_urls.empty();

    try {
        if (options.list_devices) {
            std::fputs(wscam::list_v4l2_devices(options.json).c_str(), stdout);
            return 0;
        }
        if (options.probe) return wscam::run_probe(options);

        // Every source URI is checked before anything starts: a bad one is a usage error.
        std::vector<std::string> described;
        try {
            described = wscam::stream_set::check(options.streams);
        } catch (const wscam::stream_error& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 2;
        }
        if (options.check_config) {
            std::printf("%s: %zu stream(s)\n", options.config_file.empty() ? "command line" : options.config_file.c_str(),
                        options.streams.size());
            const auto access = wscam::stream_access_table::from(options.server);
            for (std::size_t i = 0; i < options.streams.size(); ++i) {
                const auto& spec = options.streams[i];
                std::printf("  %-16s %s%s%s\n", spec.name.c_str(), described[i].c_str(),
                            spec.defaults.intake.always_on ? "  (always on)" : "",
                            access.view_token_for(spec.name).empty() ? "" : "  (view token)");
            }
            return 0;
        }

        auto registry = std::make_shared<wscam::stream_registry>();
        wscam::server server(options.server, registry);
        server.start();
        // Network cameras share the server's I/O threads; the streams go before the server does.
        wscam::stream_set streams(registry, server.source_contexts());
        // --nats: every node serves every stream of the cluster.
        std::optional<wscam::cluster::cluster_node> cluster;
        if (!options.nats_urls.empty()) {
            wscam::cluster::node_options node{options.nats_urls, options.node, options.server.max_frame_bytes,
                                              options.server.max_frame_pixels};
            node.secret = options.cluster_secret;
            node.times.forget_after = std::chrono::milliseconds(static_cast<std::int64_t>(options.cluster_forget_after_s * 1000));
            // A remote stream the cluster forgets leaves the server as a reload's removal does.
            node.remove_stream = [&server](const std::string& name, const std::string& reason) {
                server.remove_stream(name, reason);
            };
            // A stream's tokens hold on every node: the owner announces verifiers of its own, a
            // relay requires what the owner announced.
            node.tokens_for = [&server](const std::string& name) {
                const auto access = server.stream_access();
                return std::make_pair(access->view_token_for(name), access->control_token_for(name));
            };
            node.set_relayed_access = [&server](const std::string& name,
                                                std::optional<std::pair<wscam::token_check, wscam::token_check>> checks) {
                server.set_relayed_access(name, checks ? std::optional<wscam::relayed_access>(
                                                             wscam::relayed_access{checks->first, checks->second})
                                                       : std::nullopt);
            };
            cluster.emplace(std::move(node), registry);
            streams.set_cluster({[&](const std::string& name) { cluster->release(name); },
                                 [&](const std::vector<std::shared_ptr<wscam::frame_hub>>& hubs) { cluster->set_local_streams(hubs); }});
        }
        streams.apply(options.streams, [&](const std::string& name, const std::string& reason) {
            server.remove_stream(name, reason);
        });
        if (cluster) cluster->start();
        // SIGHUP re-reads --config (and the TLS certificate, which the server does itself).
        std::optional<wscam::config_reloader> reloader;
        if (!options.config_file.empty()) reloader.emplace(argc, argv, options, streams, server);
        server.stop_on_signals(reloader ? std::function<void()>([&] { reloader->request(); }) : std::function<void()>());

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
        wscam::service::ready(fmt::format("serving {}://{}:{}/, {} stream(s)", tls ? "https" : "http", host,
                                          server.http_port(), streams.size()));

        server.run();
        wscam::service::stopping();
        reloader.reset();
        if (cluster) cluster->stop();  // says it is leaving: other nodes show its streams offline at once
        streams.stop_all();
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
