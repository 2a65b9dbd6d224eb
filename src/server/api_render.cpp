// What /api/streams and /metrics say, rendered without any socket so that it is unit-tested
// and fuzzed with camera-supplied text in it.
#include "server/api_render.hpp"

#include <fmt/format.h>

#include "core/json_text.hpp"
#include "core/text.hpp"

namespace wscam {

std::string source_without_command_line(std::string_view description) {
    const auto at = description.find("exec:");
    if (at == std::string_view::npos) return std::string(description);
    std::string out(description.substr(0, at));
    out += "exec";
    // A relayed stream's description ends with the owner's in parentheses.
    if (at > 0 && description[at - 1] == '(' && description.back() == ')') out += ')';
    return out;
}

std::string origin_check_json(std::string_view origin, const std::optional<std::string>& refusal) {
    nlohmann::json j = {{"origin", sanitize_text(origin, 200)}, {"allowed", !refusal}};
    if (refusal) j["reason"] = *refusal;
    return to_json_text(j) + "\n";
}

std::string streams_json(stream_registry& streams, const std::function<bool(const std::string&)>& shows_command_line,
                         const record::recording_lookup& recording_of, const events::detection_lookup& motion_of,
                         const rtsp_facts* rtsp, std::string_view host) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& hub : streams.all()) {
        const auto info = hub->info();
        const auto status = hub->status();
        const auto counters = hub->counters();
        nlohmann::json s = {{"name", hub->name()},     {"online", status.online},
                            {"width", info.width},     {"height", info.height},
                            {"fps", info.fps},
                            {"source", shows_command_line(hub->name()) ? info.source : source_without_command_line(info.source)},
                            {"viewers", counters.viewers}, {"frames", counters.frames_published}};
        if (!status.online) s["reason"] = status.reason;
        if (const auto rec = recording_of ? recording_of(hub->name()) : std::nullopt) {
            s["recording"] = {{"active", rec->recording}, {"bytes", rec->bytes}, {"segments", rec->segments},
                              {"frames", rec->frames}, {"dropped", rec->dropped}};
            if (!rec->error.empty()) s["recording"]["error"] = rec->error;
        }
        if (const auto m = motion_of ? motion_of(hub->name()) : std::nullopt)
            s["motion"] = {{"state", m->state}, {"pictures", m->pictures}, {"skipped", m->skipped}, {"events", m->events},
                           {"undecodable", m->undecodable}};
        if (rtsp && rtsp->port) {
            const auto path = "/" + hub->name();
            const auto readers = rtsp->of ? rtsp->of(hub->name()) : std::nullopt;
            s["rtsp"] = {{"url", host.empty() ? path : fmt::format("rtsp://{}:{}{}", host, rtsp->port, path)},
                         {"readers", readers ? readers->readers : 0}};
        }
        list.push_back(std::move(s));
    }
    return to_json_text({{"streams", list}});
}

std::string metrics_text(stream_registry& streams, const server_stats& totals, const record::recording_lookup& recording_of,
                         const events::detection_lookup& motion_of, const rtsp_facts* rtsp) {
    std::string out;
    auto family = [&](const char* name, const char* type, const char* help) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    };
    const auto hubs = streams.all();
    auto per_stream = [&](const char* name, const char* type, const char* help, auto value) {
        family(name, type, help);
        for (const auto& hub : hubs) out += fmt::format("{}{{stream=\"{}\"}} {}\n", name, hub->name(), value(*hub));
    };
    per_stream("wscam_stream_online", "gauge", "1 while the stream's camera delivers", [](stream& h) { return h.status().online ? 1 : 0; });
    per_stream("wscam_stream_viewers", "gauge", "Viewers of the stream (WebSocket and MJPEG)", [](stream& h) { return h.counters().viewers; });
    per_stream("wscam_stream_frames_published_total", "counter", "Frames the camera delivered",
               [](stream& h) { return h.counters().frames_published; });
    per_stream("wscam_stream_bytes_published_total", "counter", "JPEG bytes the camera delivered",
               [](stream& h) { return h.counters().bytes_published; });
    per_stream("wscam_stream_frames_rejected_total", "counter", "Frames from outside refused as invalid",
               [](stream& h) { return h.rejected(); });
    if (recording_of) {
        // Only the recorded streams: a stream without a recorder has no such series.
        auto recorded = [&](const char* name, const char* type, const char* help, auto value) {
            family(name, type, help);
            for (const auto& hub : hubs)
                if (const auto rec = recording_of(hub->name()))
                    out += fmt::format("{}{{stream=\"{}\"}} {}\n", name, hub->name(), value(*rec));
        };
        using stats = record::recording_stats;
        recorded("wscam_recording_active", "gauge", "1 while a segment of the stream is being written",
                 [](const stats& r) { return r.recording ? 1 : 0; });
        recorded("wscam_recording_failing", "gauge", "1 while the stream cannot be recorded (a full disk: see /api/streams)",
                 [](const stats& r) { return r.error.empty() ? 0 : 1; });
        recorded("wscam_recording_bytes_total", "counter", "Bytes of finished segments", [](const stats& r) { return r.bytes; });
        recorded("wscam_recording_segments_total", "counter", "Segments finished", [](const stats& r) { return r.segments; });
        recorded("wscam_recording_frames_total", "counter", "Pictures recorded", [](const stats& r) { return r.frames; });
        recorded("wscam_recording_dropped_total", "counter", "Pictures not recorded because the disk was too slow",
                 [](const stats& r) { return r.dropped; });
    }
    if (motion_of) {
        // Only the streams that look for motion.
        auto watched = [&](const char* name, const char* type, const char* help, auto value) {
            family(name, type, help);
            for (const auto& hub : hubs)
                if (const auto m = motion_of(hub->name())) out += fmt::format("{}{{stream=\"{}\"}} {}\n", name, hub->name(), value(*m));
        };
        using stats = events::detection_stats;
        watched("wscam_motion_active", "gauge", "1 while a motion event of the stream goes on", [](const stats& m) { return m.state == "motion" ? 1 : 0; });
        watched("wscam_motion_events_total", "counter", "Motion events started", [](const stats& m) { return m.events; });
        watched("wscam_motion_pictures_total", "counter", "Pictures looked at for motion", [](const stats& m) { return m.pictures; });
        watched("wscam_motion_skipped_total", "counter", "Pictures not looked at: a newer one came first", [](const stats& m) { return m.skipped; });
    }
    if (rtsp && rtsp->port && rtsp->of) {
        // Every stream: each may be read over RTSP (0 until its first reader).
        auto read = [&](const char* name, const char* type, const char* help, auto value) {
            family(name, type, help);
            for (const auto& hub : hubs)
                out += fmt::format("{}{{stream=\"{}\"}} {}\n", name, hub->name(), value(rtsp->of(hub->name()).value_or(rtsp_reader_stats{})));
        };
        using stats = rtsp_reader_stats;
        read("wscam_rtsp_readers", "gauge", "RTSP readers of the stream now", [](const stats& r) { return r.readers; });
        read("wscam_rtsp_bytes_total", "counter", "H.264 bytes handed to the stream's RTSP readers (summed over readers)",
             [](const stats& r) { return r.bytes; });
        read("wscam_rtsp_units_total", "counter", "Access units handed to the stream's RTSP readers (summed over readers)",
             [](const stats& r) { return r.units; });
        read("wscam_rtsp_dropped_total", "counter", "Access units RTSP readers did not get because they were behind",
             [](const stats& r) { return r.dropped; });
        read("wscam_rtsp_cut_off_total", "counter", "RTSP readers cut off after taking no video for --write-timeout",
             [](const stats& r) { return r.cut_off; });
        family("wscam_rtsp_connections", "gauge", "Open RTSP connections");
        out += fmt::format("wscam_rtsp_connections {}\n", rtsp->connections ? rtsp->connections() : 0);
    }
    family("wscam_frames_sent_total", "counter", "Frames written to viewers");
    out += fmt::format("wscam_frames_sent_total {}\n", totals.frames_sent);
    family("wscam_frames_dropped_total", "counter", "Frames skipped for slow viewers (replaced while pending)");
    out += fmt::format("wscam_frames_dropped_total {}\n", totals.frames_dropped);
    family("wscam_connections", "gauge", "Open HTTP and WebSocket connections");
    out += fmt::format("wscam_connections {}\n", totals.open_connections);
    family("wscam_viewers", "gauge", "Open viewers (WebSocket and MJPEG over HTTP)");
    out += fmt::format("wscam_viewers {}\n", totals.open_viewers);
    family("wscam_mjpeg_readers", "gauge", "Open MJPEG-over-HTTP readers (/stream/<stream>.mjpg)");
    out += fmt::format("wscam_mjpeg_readers {}\n", totals.open_mjpeg);
    family("wscam_h264_viewers", "gauge", "Open WebSocket viewers getting H.264 (?codec=h264)");
    out += fmt::format("wscam_h264_viewers {}\n", totals.open_h264);
    family("wscam_h264_encoders", "gauge", "Streams being encoded to H.264 now (at most --h264-max-streams)");
    out += fmt::format("wscam_h264_encoders {}\n", totals.h264_encoders);
    return out;
}

}  // namespace wscam
