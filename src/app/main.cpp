// wscam: parse the options, build what they describe, run it until a signal. Nothing else.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <cstdio>

#include "app/app_runtime.hpp"
#include "app/options.hpp"
#include "app/probe.hpp"
#include "app/startup_report.hpp"
#include "app/usage_error.hpp"
#include "app/stream_set.hpp"
#include "cluster/nats_link.hpp"
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
            wscam::check_recording_folders(options);
        } catch (const wscam::usage_error& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 2;
        } catch (const wscam::stream_error& e) {
            std::fprintf(stderr, "%s\n", e.what());
            return 2;
        }
        if (options.check_config) {
            wscam::print_stream_list(options, described);
            return 0;
        }

        wscam::app_runtime app(options, argc, argv);
        app.run();
        return 0;
    } catch (const wscam::config_error& e) {
        spdlog::error("{}", e.what());
        return 2;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return 1;
    }
}
