#include "sources/source_factory.hpp"

#include <charconv>
#include <filesystem>
#include <stdexcept>

#include "core/command_words.hpp"
#include "core/source_uri.hpp"
#include "sources/exec/exec_source.hpp"
#include "sources/file_source.hpp"
#include "sources/network_url.hpp"
#include "sources/exec/pipe_source.hpp"
#include "sources/pull/pull_source.hpp"
#include "sources/push_source.hpp"
#include "sources/v4l2/v4l2_source.hpp"

namespace wscam {
namespace {

void only_params(const source_uri& uri, std::initializer_list<const char*> known) {
    for (const auto& [key, _] : uri.params) {
        bool ok = false;
        for (const char* k : known) ok = ok || key == k;
        if (!ok) {
            std::string list;
            for (const char* k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            throw std::invalid_argument(uri.scheme + ": unknown parameter '" + key + "'" +
                                        (list.empty() ? " (it takes none)" : " (known: " + list + ")"));
        }
    }
}

}  // namespace

std::unique_ptr<source> make_source(const std::string& text, std::shared_ptr<stream> hub,
                                    const source_defaults& defaults, const io_context_picker& io) {
    std::string error;
    auto uri = source_uri::parse(text, &error);
    if (!uri) throw std::invalid_argument(error);
    intake_options intake = defaults.intake;

    if (uri->scheme == "testsrc")
        return std::make_unique<test_card_source>(std::move(hub), test_card_options_from(*uri, defaults.pattern), io);
    if (uri->scheme == "v4l2") {
        v4l2_options o;
        o.fps = defaults.pattern.fps;
        o.quality = defaults.pattern.quality;
        o.intake = intake;
        if (!uri->params.count("size") && defaults.pattern.size != frame_size{640, 480}) o.size = defaults.pattern.size;
        return std::make_unique<v4l2_source>(std::move(hub), v4l2_options_from(*uri, o));
    }
    if (uri->scheme == "file") {
        only_params(*uri, {"fps", "loop"});
        intake.fps = uri->number("fps", intake.fps, 0.1, 240);
        intake.loop = uri->number("loop", intake.loop ? 1 : 0, 0, 1) != 0;
        std::error_code ec;
        if (uri->target.empty() || !std::filesystem::exists(uri->target, ec))
            throw std::invalid_argument("file:" + uri->target + ": no such file or directory");
        return std::make_unique<file_source>(std::move(hub), uri->target, intake, io);
    }
    if (uri->scheme == "pipe") {
        only_params(*uri, {});
        if (uri->target.empty()) throw std::invalid_argument("pipe: needs '-' (stdin) or a path, e.g. pipe:- or pipe:/tmp/cam.fifo");
        return std::make_unique<pipe_source>(std::move(hub), uri->target, intake, io);
    }
    if (uri->scheme == "exec") {
        auto argv = split_command_words(uri->target, &error);
        if (!argv) throw std::invalid_argument("exec: " + error);
        return std::make_unique<exec_source>(std::move(hub), uri->target, std::move(*argv), intake, io);
    }
    if (uri->scheme == "push") {
        only_params(*uri, {"token", "takeover"});
        if (auto t = uri->param("token")) intake.publish_token = *t;
        intake.publish_takeover = uri->number("takeover", intake.publish_takeover ? 1 : 0, 0, 1) != 0;
        return std::make_unique<push_source>(std::move(hub), intake);
    }
    if (uri->scheme == "http" || uri->scheme == "https" || uri->scheme == "ws" || uri->scheme == "wss") {
        auto url = parse_network_url(text, &error);
        if (!url) throw std::invalid_argument(error);
        return std::make_unique<pull_source>(std::move(hub), std::move(*url), intake, io);
    }
    throw std::invalid_argument("source scheme '" + uri->scheme + ":' is not supported (supported: " +
                                supported_schemes + ")");
}

}  // namespace wscam
