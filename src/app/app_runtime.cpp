#include "app/app_runtime.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>

#include "app/service_notify.hpp"
#include "app/startup_report.hpp"
#include "app/usage_error.hpp"
#include "events/exec_hook.hpp"
#include "events/webhook_output.hpp"
#include "events/viewer_notices.hpp"
#include "transcode/h264_stream.hpp"

namespace wscam {
namespace {

/** Motion drives events recordings: an event's start starts (or extends) its stream's clip, its end stops it. */
class clip_output : public events::event_output {
public:
    explicit clip_output(std::shared_ptr<record::recordings> recs) : recs_(std::move(recs)) {}
    void deliver(const events::notice& n) override { recs_->clip(n.event.stream, n.change == events::change::started); }

private:
    std::shared_ptr<record::recordings> recs_;
};

}  // namespace

app_runtime::app_runtime(const app_options& options, int argc, char** argv)
    : options_(options), registry_(std::make_shared<stream_registry>()), server_(options.server, registry_) {
    recordings_ = std::make_shared<record::recordings>(registry_, [this](const std::shared_ptr<stream>& s) -> std::optional<record::h264_feed> {
        auto rendition = server_.h264_rendition(s);
        if (!rendition) return std::nullopt;
        return record::h264_feed{rendition->output(), [rendition](std::string* why) { return rendition->start(why); },
                                 [rendition] { rendition->request_keyframe(); }};
    });
    server_.set_recordings(recordings_);
    timelapses_.emplace(registry_);
    // Events go to viewers and to events recordings' clips at once; the store is added once a stream detects.
    event_outputs_->add(std::make_shared<events::viewer_notices>(registry_));
    event_outputs_->add(std::make_shared<clip_output>(recordings_));
    if (options.mqtt) {
        mqtt_ = std::make_shared<events::mqtt_output>(*options.mqtt);
        event_outputs_->add(mqtt_);
    }
    if (!options.event_exec_argv.empty())
        event_outputs_->add(std::make_shared<events::exec_hook>(
            options.event_exec_argv, std::chrono::milliseconds(static_cast<std::int64_t>(options.event_exec_timeout_s * 1000))));
    motion_.emplace(registry_, event_outputs_, 2);
    server_.set_motion_of([this](const std::string& name) { return motion_->stats(name); });
    server_.start();
    try {
        // Network cameras share the server's I/O threads; the streams go before the server does.
        streams_.emplace(registry_, server_.source_contexts());
        if (!options.nats_urls.empty()) join_cluster();
        streams_->apply(options.streams, [this](const std::string& name, const std::string& reason) {
            server_.remove_stream(name, reason);
        });
        record(options, true);
        if (options.rtsp_port != 0) serve_rtsp(options);
    } catch (...) {
        rtsp_.reset();
        // The I/O threads never ran: the sources must not wait for them as they stop (they
        // did, forever, when a recording could not start).
        motion_->stop_all();
        timelapses_->stop_all();
        recordings_->stop_all();
        server_.abandon();
        throw;
    }
    if (cluster_) cluster_->start();
    // SIGHUP re-reads --config (and the TLS certificate, which the server does itself).
    if (!options.config_file.empty())
        reloader_.emplace(argc, argv, options, *streams_, server_, [this](const app_options& next) { record(next, false); });
    server_.stop_on_signals(reloader_ ? std::function<void()>([this] { reloader_->request(); }) : std::function<void()>());
}

void app_runtime::join_cluster() {
    cluster::node_options node{options_.nats_urls, options_.node, options_.server.max_frame_bytes,
                               options_.server.max_frame_pixels};
    node.secret = options_.cluster_secret;
    node.url = options_.advertise_url;
    // A stream configured on two nodes is recorded by one: the cluster says which, and until it
    // has heard the other nodes, none records.
    recordings_->hold_until_told();
    timelapses_->hold_until_told();
    motion_->hold_until_told();  // and watched for motion by one, so its events are not doubled
    node.records = [this](const std::string& name) {
        return recordings_->records(name) || timelapses_->runs(name) || motion_->runs(name);
    };
    node.hold_recording = [this](const std::string& name, bool held) {
        recordings_->hold(name, held);
        timelapses_->hold(name, held);
        motion_->hold(name, held);
    };
    node.times.forget_after = std::chrono::milliseconds(static_cast<std::int64_t>(options_.cluster_forget_after_s * 1000));
    // A remote stream the cluster forgets leaves the server as a reload's removal does.
    node.remove_stream = [this](const std::string& name, const std::string& reason) { server_.remove_stream(name, reason); };
    // A stream's tokens hold on every node: the owner announces verifiers of its own, a
    // relay requires what the owner announced.
    node.tokens_for = [this](const std::string& name) {
        const auto access = server_.stream_access();
        return std::make_pair(access->view_token_for(name), access->control_token_for(name));
    };
    node.set_relayed_access = [this](const std::string& name, std::optional<std::pair<token_check, token_check>> checks) {
        server_.set_relayed_access(name, checks ? std::optional<relayed_access>(relayed_access{checks->first, checks->second})
                                                : std::nullopt);
    };
    cluster_.emplace(std::move(node), registry_);
    // A remote stream's recordings are on its owner: the recordings API points there.
    server_.set_recordings_home([this](const std::string& name) { return cluster_->recordings_home(name); });
    streams_->set_cluster({[this](const std::string& name) { cluster_->release(name); },
                           [this](const std::vector<std::shared_ptr<stream>>& hubs) { cluster_->set_local_streams(hubs); }});
}

std::map<std::string, record::recording_settings> recording_plan(const app_options& options) {
    std::map<std::string, record::recording_settings> wanted;
    for (const auto& spec : options.streams) {
        if (spec.recording.mode == record::mode::off) continue;
        record::recording_settings settings;
        settings.events = spec.recording.mode == record::mode::events;
        settings.preroll = std::chrono::seconds(options.record_preroll_s);
        settings.postroll = std::chrono::seconds(options.record_postroll_s);
        settings.codec = spec.recording.codec;
        settings.folder = std::filesystem::path(options.record_dir) / spec.name;
        settings.segment_length = std::chrono::seconds(static_cast<std::int64_t>(options.record_segment_s));
        wanted.emplace(spec.name, std::move(settings));
    }
    return wanted;
}

std::map<std::string, record::timelapse_settings> timelapse_plan(const app_options& options) {
    std::map<std::string, record::timelapse_settings> wanted;
    for (const auto& spec : options.streams) {
        if (spec.recording.timelapse_s <= 0) continue;
        wanted.emplace(spec.name, record::timelapse_settings{std::chrono::seconds(spec.recording.timelapse_s), spec.recording.codec,
                                                             std::filesystem::path(options.record_dir) / spec.name / "timelapse"});
    }
    return wanted;
}

void check_recording_folders(const app_options& options) {
    for (const auto& [name, settings] : recording_plan(options)) {
        try {
            record::check_folder(settings.folder);
        } catch (const record::segment_error& e) {
            throw usage_error("--record-dir: stream " + name + " cannot be recorded: " + e.what());
        }
    }
    for (const auto& [name, settings] : timelapse_plan(options)) {
        try {
            record::check_folder(settings.folder);
        } catch (const record::segment_error& e) {
            throw usage_error("--record-dir: stream " + name + " cannot keep a timelapse: " + e.what());
        }
    }
}

void app_runtime::record(const app_options& options, bool strict) {
    timelapses_->apply(timelapse_plan(options), strict);
    recordings_->apply(options.record_dir, recording_plan(options), strict);
    std::map<std::string, record::keep_limits> keep;
    for (const auto& spec : options.streams) keep.emplace(spec.name, spec.recording.keep);
    recordings_->keep(std::move(keep), options.record_dir_max_bytes);
    detect(options, strict);
}

void app_runtime::hook_webhooks(const app_options& options) {
    std::vector<events::webhook_settings> wanted;
    for (const auto& h : options.webhooks)
        wanted.push_back({h.url, h.secret, h.streams, std::chrono::milliseconds(static_cast<std::int64_t>(h.timeout_s * 1000)), h.retries,
                          options.version});
    auto same = [](const events::webhook_settings& a, const events::webhook_settings& b) {
        return a.url == b.url && a.secret == b.secret && a.streams == b.streams && a.timeout == b.timeout && a.retries == b.retries;
    };
    if (std::equal(wanted.begin(), wanted.end(), webhooks_.begin(), webhooks_.end(),
                   [&](const auto& w, const auto& running) { return same(w, running->settings()); }))
        return;
    for (const auto& w : webhooks_) event_outputs_->remove(w.get());
    webhooks_.clear();
    for (auto& w : wanted) {
        webhooks_.push_back(std::make_shared<events::webhook_output>(std::move(w)));
        event_outputs_->add(webhooks_.back());
    }
}

std::map<std::string, motion::settings> motion_plan(const app_options& options) {
    std::map<std::string, motion::settings> wanted;
    for (const auto& spec : options.streams)
        if (spec.recording.motion) wanted.emplace(spec.name, *spec.recording.motion);
    return wanted;
}

void app_runtime::detect(const app_options& options, bool strict) {
    const auto wanted = motion_plan(options);
    const auto file = std::filesystem::path(options.record_dir) / "events.sqlite3";
    std::error_code ec;
    // Open while any stream detects, or when events were kept before (the API still lists them).
    if ((!wanted.empty() || std::filesystem::exists(file, ec)) && (!journal_ || journal_->store()->file() != file)) {
        try {
            std::filesystem::create_directories(file.parent_path());
            auto journal = std::make_shared<events::event_journal>(std::make_shared<events::event_store>(file), options.events_keep);
            if (const auto open = journal->store()->close_unfinished(); open > 0)
                spdlog::info("events store: {} events left open by the last run end at their peak", open);
            if (journal_) event_outputs_->remove(journal_.get());
            event_outputs_->add(journal);
            journal_ = std::move(journal);
            server_.set_event_store(journal_->store());
        } catch (const std::exception& e) {
            if (strict) throw usage_error("--record-dir: motion events cannot be kept in " + file.string() + ": " + e.what());
            spdlog::error("motion events cannot be kept in {}: {}", file.string(), e.what());
        }
    }
    if (journal_) journal_->set_retention(options.events_keep);
    hook_webhooks(options);
    if (mqtt_) {
        std::vector<std::string> names;
        for (const auto& [name, s] : wanted) names.push_back(name);
        mqtt_->set_streams(names);
    }
    motion_->apply(wanted);
}

void app_runtime::serve_rtsp(const app_options& options) {
    rtsp::rtsp_settings rs;
    rs.listen_address = options.server.listen_address;
    rs.port = options.rtsp_port;
    rs.write_timeout = options.server.write_timeout;
    rs.start_timeout = options.server.header_timeout;
    rtsp_ = std::make_unique<rtsp::rtsp_server>(rs, server_.state());
    try {
        rtsp_->start();
    } catch (const std::exception& e) {
        // The default port taken (another RTSP server on the machine) must not stop a wscam that was never
        // asked for RTSP; a port asked for must be had.
        rtsp_.reset();
        if (options.rtsp_port_given) throw;
        spdlog::warn("no RTSP: {}; set --rtsp-port to a free port", e.what());
        return;
    }
    server_.set_rtsp(rtsp_facts{rtsp_->port(), [this](const std::string& name) { return rtsp_->stats(name); },
                                [this] { return rtsp_->connections(); }});
}

void app_runtime::run() {
    report_serving(options_.server, server_.http_port(), server_.ws_port(), rtsp_ ? rtsp_->port() : 0, streams_->size());
    server_.run();
    service::stopping();
    if (rtsp_) rtsp_->stop();  // its readers go with the server's viewers
    reloader_.reset();
    if (cluster_) cluster_->stop();  // says it is leaving: other nodes show its streams offline at once
    motion_->stop_all();  // open events end (and their clips), told to every output
    if (journal_) journal_->flush();
    timelapses_->stop_all();
    recordings_->stop_all();  // every open segment is closed, complete
    streams_->stop_all();
    spdlog::info("stopped");
}

}  // namespace wscam
