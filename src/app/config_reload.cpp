#include "app/config_reload.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "app/service_notify.hpp"
#include "server/server.hpp"

namespace wscam {
namespace {

std::string names(const std::vector<std::string>& list) { return list.empty() ? "-" : fmt::format("{}", fmt::join(list, ",")); }

}  // namespace

config_reloader::config_reloader(int argc, char** argv, app_options running, stream_set& streams, server& srv,
                                 std::function<void(const app_options&)> applied)
    : argc_(argc), argv_(argv), started_(std::move(running)), log_level_(started_.log_level), streams_(streams), server_(srv),
      applied_(std::move(applied)), thread_([this](std::stop_token stop) { run(stop); }) {}

config_reloader::~config_reloader() {
    thread_.request_stop();
    wake_.notify_all();
}

void config_reloader::request() {
    {
        std::lock_guard lock(mutex_);
        pending_ = true;
    }
    wake_.notify_all();
}

void config_reloader::run(std::stop_token stop) {
    while (true) {
        {
            std::unique_lock lock(mutex_);
            if (!wake_.wait(lock, stop, [this] { return pending_; })) return;
            pending_ = false;
        }
        service::reloading();
        try {
            reload();
        } catch (const std::exception& e) {
            spdlog::error("config reload failed: {}", e.what());
        }
        service::ready(status_line());
    }
}

std::string config_reloader::status_line() const {
    return fmt::format("serving {} stream(s) from {}", streams_.size(), started_.config_file);
}

void config_reloader::reload() {
    const std::string file = started_.config_file.empty() ? "the command line" : started_.config_file;
    app_options next;
    int code = 0;
    std::string errors;
    if (!parse_options(argc_, argv_, next, code, &errors)) {
        spdlog::error("config reload refused, keeping the running configuration: {}", errors);
        return;
    }
    try {
        stream_set::check(next.streams);
    } catch (const stream_error& e) {
        spdlog::error("config reload refused, keeping the running configuration: {}", e.what());
        return;
    }
    // Compared with what the server started with, so the warning repeats until wscam restarts.
    if (const auto later = restart_only_changes(started_, next); !later.empty())
        spdlog::warn("config reload: {} changed; {} take effect when wscam starts again", names(later),
                     later.size() == 1 ? "it will" : "they will");
    if (next.log_level != log_level_) {
        spdlog::set_level(spdlog::level::from_str(next.log_level));
        log_level_ = next.log_level;
    }

    // Tokens first: a stream that starts must not be open for a moment to those its new tokens keep out.
    server_.set_stream_access(stream_access_table::from(next.server));
    const auto plan = streams_.apply(next.streams, [this](const std::string& name, const std::string& reason) {
        server_.remove_stream(name, reason);
    });
    spdlog::info("config reloaded from {}: added={} removed={} restarted={} unchanged={}", file, names(plan.added),
                 names(plan.removed), names(plan.restarted), names(plan.unchanged));
    if (applied_) applied_(next);
}

}  // namespace wscam
