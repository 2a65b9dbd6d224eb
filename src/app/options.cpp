#include "app/options.hpp"

#include <CLI/CLI.hpp>

#include "core/frame_size.hpp"

namespace wscam {

bool parse_options(int argc, char** argv, app_options& o, int& exit_code) {
    CLI::App app{"wscam: streams live camera video to web browsers over WebSocket, with the lowest latency the "
                 "network allows.\nOpen http://HOST:PORT/ in a browser; plain WebSocket clients get one JPEG per "
                 "binary message from ws://HOST:PORT/ws.",
                 "wscam"};
    app.set_version_flag("--version", std::string("wscam ") + WSCAM_VERSION);
    app.get_formatter()->column_width(34);
    // A later option overrides an earlier one (handy with shell aliases and scripts).
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

    std::string size = "640x480";
    auto& s = o.server;
    app.add_option("-s,--source", o.source,
                   "Camera to stream, as a URI. testsrc: is the built-in test pattern "
                   "(testsrc:?size=VGA&fps=30&quality=80&noise=0)")
        ->capture_default_str();
    app.add_option("--size", size, "Default frame size: WIDTHxHEIGHT or QQVGA, QVGA, CIF, HVGA, VGA, SVGA, XGA, HD, "
                                   "SXGA, UXGA, FHD")
        ->capture_default_str();
    app.add_option("--fps", o.defaults.pattern.fps, "Default frame rate")->check(CLI::Range(0.1, 240.0))->capture_default_str();
    app.add_option("--quality", o.defaults.pattern.quality, "Default JPEG quality for sources that encode")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    app.add_flag("--always-on", o.defaults.pattern.always_on,
                 "Keep capturing when nobody watches (default: capture only while someone watches)");
    app.add_option("-l,--listen", s.listen_address, "Address to listen on (0.0.0.0, ::, 127.0.0.1, ...)")
        ->capture_default_str();
    app.add_option("-p,--port", s.port, "HTTP and WebSocket port (0 = any free port)")->capture_default_str();
    app.add_option("--ws-port", s.ws_port,
                   "Also listen on this port for WebSocket only, like the ESP32 tutorial's ws://HOST:81");
    app.add_option("--threads", s.threads, "I/O threads (0 = one per core)")->capture_default_str();
    app.add_option("--web-root", s.web_root, "Serve the viewer from this folder instead of the embedded copy")
        ->check(CLI::ExistingDirectory);
    app.add_option("--max-connections", s.max_connections, "Refuse connections beyond this many")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error, off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every usage error exits 2, as command-line tools do.
        exit_code = app.exit(e) == 0 ? 0 : 2;
        return false;
    }
    std::string error;
    auto parsed = parse_frame_size(size, &error);
    if (!parsed) {
        std::fprintf(stderr, "--size: %s\n", error.c_str());
        exit_code = 2;
        return false;
    }
    o.defaults.pattern.size = *parsed;
    exit_code = 0;
    return true;
}

}  // namespace wscam
