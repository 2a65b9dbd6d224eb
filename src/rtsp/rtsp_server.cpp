#include "rtsp/rtsp_server.hpp"

#include <gst/gst.h>
#include <pthread.h>

#include <stdexcept>

#include "core/stream.hpp"
#include "rtsp/gst_digest.hpp"
#include "rtsp/gst_reader.hpp"
#include "rtsp/rtsp_access.hpp"
#include "rtsp/rtsp_request.hpp"
#include "rtsp/rtsp_server_impl.hpp"
#include "server/shared_state.hpp"
#include "transcode/h264_stream.hpp"
#include "transcode/h264_streams.hpp"

namespace wscam::rtsp {

void rtsp_server::impl::refuse(GstRTSPContext* ctx, GstRTSPStatusCode code, const std::string& body, const connection* challenge) {
    gst_rtsp_message_init_response(ctx->response, code, gst_rtsp_status_as_text(code), ctx->request);
    if (challenge) {
        // Both: a player takes the stronger it knows (Digest keeps the token off the wire), a tool without Digest takes Basic.
        gst_rtsp_message_add_header(ctx->response, GST_RTSP_HDR_WWW_AUTHENTICATE,
                                    fmt::format("Digest realm=\"{}\", nonce=\"{}\"", realm, challenge->nonce).c_str());
        gst_rtsp_message_add_header(ctx->response, GST_RTSP_HDR_WWW_AUTHENTICATE, fmt::format("Basic realm=\"{}\"", realm).c_str());
    }
    const std::string text = body + "\n";
    gst_rtsp_message_add_header(ctx->response, GST_RTSP_HDR_CONTENT_TYPE, "text/plain");
    gst_rtsp_message_set_body(ctx->response, reinterpret_cast<const guint8*>(text.data()), static_cast<guint>(text.size()));
    gst_rtsp_client_send_message(ctx->client, ctx->session, ctx->response);
}

gboolean rtsp_server::impl::check_url(GstRTSPContext* ctx) {
    auto* client = connection_of(ctx->client);
    if (!client || !ctx->request) return FALSE;
    if (!ctx->uri) return TRUE;  // "OPTIONS *"
    GstRTSPMethod method{};
    const gchar* uri_text = nullptr;
    GstRTSPVersion version{};
    gst_rtsp_message_parse_request(ctx->request, &method, &uri_text, &version);
    gchar* authorization = nullptr;
    gst_rtsp_message_get_header(ctx->request, GST_RTSP_HDR_AUTHORIZATION, &authorization, 0);
    rtsp_ask ask;
    ask.options = method == GST_RTSP_OPTIONS;
    ask.describe = method == GST_RTSP_DESCRIBE;
    ask.abspath = ctx->uri->abspath ? ctx->uri->abspath : "";
    ask.query = ctx->uri->query ? ctx->uri->query : "";
    ask.authorization = authorization ? authorization : "";
    auto& conn = *client;
    const digest_credentials digest(ctx->request);
    if (digest.present())
        ask.digest = [&](const std::string& token) { return digest.made_with(token, gst_rtsp_method_as_text(method), realm, conn.nonce); };
    const auto now = client_limits::clock::now();
    const auto key = conn.ticket.key();
    auto& limits = state->limits();
    const auto access = state->access();
    auto v = decide_rtsp(
        ask, *access, [&](const std::string& name) { return static_cast<bool>(state->streams().find(name)); }, conn.opened,
        limits.blocked_for(key, now) > client_limits::clock::duration::zero());
    if (v.guess && limits.wrong_token(key, now))
        spdlog::warn("token guessing from {} (peer={}, rtsp): {} wrong tokens within {} s; requests with a token from there "
                     "are refused for {} s",
                     key, conn.peer, limits.limits().max_wrong_tokens,
                     std::chrono::duration_cast<std::chrono::seconds>(limits.limits().wrong_token_window).count(),
                     std::chrono::duration_cast<std::chrono::seconds>(limits.limits().block).count());
    if (!v.stream.empty()) conn.set_stream(v.stream);
    if (v.status == 0 && (ask.describe || method == GST_RTSP_SETUP)) {
        // A reader needs a camera that sends and an encoder: say now, with the reason, when either is
        // missing (the media would wait 20 s for a first picture, holding one of the client threads).
        const auto source = state->streams().find(v.stream);
        std::string why;
        if (!state->h264().enabled()) {
            v.status = 503;
            v.reason = "H.264 is off on this server (--h264-max-streams 0), and RTSP serves H.264";
        } else if (const auto status = source ? source->status() : stream_status::down("the stream was removed"); !status.online) {
            v.status = 503;
            v.reason = "the camera is offline: " + status.reason;
        } else if (auto feed = feed_for(source); !feed || !feed->encoder()->start(&why)) {
            v.status = 503;
            v.reason = why.empty() ? "the stream was removed" : why;
        }
    }
    if (v.status != 0) {
        log_refusal(refusal::request, "rtsp request refused peer={} {} {}: {} {}", conn.peer, gst_rtsp_method_as_text(method),
                    v.stream.empty() ? std::string("(no stream)") : "stream=" + v.stream, v.status, v.reason);
        refuse(ctx, static_cast<GstRTSPStatusCode>(v.status), v.reason, v.challenge ? &conn : nullptr);
        return FALSE;
    }
    if (v.authenticated) conn.opened.insert(v.stream);
    if (!v.stream.empty()) mount(v.stream);
    return TRUE;
}


namespace {

// The media: the stream's access units into an appsrc, payloaded for RTP (one SPS/PPS pair in
// every keyframe: the encoder repeats them, so config-interval stays 0).
constexpr const char* launch =
    "( appsrc name=src ! rtph264pay name=pay0 pt=96 config-interval=0 aggregate-mode=zero-latency )";

struct media_hook {
    std::weak_ptr<rtsp_feed> feed;
    std::shared_ptr<gst_reader> reader;
};

void forget_reader(gpointer data, GClosure*) {
    auto* hook = static_cast<media_hook*>(data);
    if (auto feed = hook->feed.lock()) feed->remove(hook->reader.get());
    delete hook;
}

}  // namespace

std::shared_ptr<rtsp_feed> rtsp_server::impl::feed_for(const std::shared_ptr<stream>& source) {
    std::lock_guard lock(mutex_);
    if (auto& feed = feeds_[source->name()]; feed && feed->source() == source) return feed;
    auto encoder = state->h264().for_stream(source, rendition::full);
    if (!encoder) return nullptr;
    rtsp_feed::settings s;
    s.write_timeout = settings.write_timeout;
    auto feed = std::make_shared<rtsp_feed>(source, std::move(encoder), s);
    feed->attach();
    feeds_[source->name()] = feed;
    return feed;
}

void rtsp_server::impl::mount(const std::string& name) {
    {
        std::lock_guard lock(mutex_);
        if (!mounted_.insert(name).second) return;
    }
    GstRTSPMediaFactory* factory = gst_rtsp_media_factory_new();
    gst_rtsp_media_factory_set_launch(factory, launch);
    gst_rtsp_media_factory_set_shared(factory, FALSE);  // a pipeline per reader: a stalled one is dropped alone
    gst_rtsp_media_factory_set_latency(factory, 0);
    gst_rtsp_media_factory_set_protocols(factory, static_cast<GstRTSPLowerTrans>(GST_RTSP_LOWER_TRANS_UDP | GST_RTSP_LOWER_TRANS_TCP));
    GstClock* clock = GST_CLOCK(g_object_new(GST_TYPE_SYSTEM_CLOCK, "clock-type", GST_CLOCK_TYPE_REALTIME, nullptr));
    gst_rtsp_media_factory_set_clock(factory, clock);  // capture times are real time: see gst_reader::push
    gst_object_unref(clock);
    g_object_set_data_full(G_OBJECT(factory), "wscam-stream", g_strdup(name.c_str()), g_free);
    g_signal_connect(factory, "media-configure", G_CALLBACK(+[](GstRTSPMediaFactory* f, GstRTSPMedia* media, gpointer data) {
        auto* self = static_cast<rtsp_server::impl*>(data);
        const std::string name = static_cast<const char*>(g_object_get_data(G_OBJECT(f), "wscam-stream"));
        GstRTSPContext* ctx = gst_rtsp_context_get_current();
        const auto source = self->state->streams().find(name);
        auto feed = source ? self->feed_for(source) : nullptr;
        GstElement* bin = gst_rtsp_media_get_element(media);
        GstElement* appsrc = gst_bin_get_by_name_recurse_up(GST_BIN(bin), "src");
        gst_object_unref(bin);
        if (!appsrc) return;
        gst_rtsp_media_set_rate_control(media, FALSE);  // send each packet as it comes: the capture time is in the past
        gst_reader::configure(appsrc);
        // The client that asked (the media does not know it): weakly, so a reader never keeps its client alive.
        std::shared_ptr<GWeakRef> client(new GWeakRef{}, [](GWeakRef* w) {
            g_weak_ref_clear(w);
            delete w;
        });
        g_weak_ref_init(client.get(), ctx ? ctx->client : nullptr);
        auto reader = std::make_shared<gst_reader>(appsrc, [self, client](const std::string& why) {
            if (auto* c = static_cast<GstRTSPClient*>(g_weak_ref_get(client.get()))) self->close_later(c, why);
        });
        gst_object_unref(appsrc);
        std::string why;
        if (!feed || !feed->add(reader, &why)) {
            spdlog::warn("rtsp stream={}: no video for a reader: {}", name, why.empty() ? "the stream was removed" : why);
            return;
        }
        g_signal_connect_data(media, "unprepared", G_CALLBACK(+[](GstRTSPMedia*, gpointer d) {
            auto* hook = static_cast<media_hook*>(d);
            if (auto f2 = hook->feed.lock()) f2->remove(hook->reader.get());
        }), new media_hook{feed, reader}, forget_reader, GConnectFlags{});
    }), this);
    gst_rtsp_mount_points_add_factory(mounts, mount_path(name).c_str(), factory);  // takes the factory
}

void rtsp_server::impl::close_later(GstRTSPClient* client, std::string why) {
    // Never at once: the caller may hold the feed's lock, and closing unprepares the media, which removes the reader.
    struct job {
        GstRTSPClient* client;
        std::string why;
    };
    GSource* idle = g_idle_source_new();
    g_source_set_callback(idle, +[](gpointer d) -> gboolean {
        auto* j = static_cast<job*>(d);
        auto* c = connection_of(j->client);
        if (c && !c->closing.exchange(true)) {
            spdlog::warn("rtsp reader peer={} stream={} cut off: {}", c->peer, c->stream(), j->why);
            shut_down(j->client);
        }
        return G_SOURCE_REMOVE;
    }, new job{client, std::move(why)}, +[](gpointer d) {
        auto* j = static_cast<job*>(d);
        g_object_unref(j->client);
        delete j;
    });
    g_source_attach(idle, context);
    g_source_unref(idle);
}

void rtsp_server::impl::tick() {
    std::vector<std::shared_ptr<rtsp_feed>> feeds;
    {
        std::lock_guard lock(mutex_);
        for (auto it = feeds_.begin(); it != feeds_.end();) {
            if (!it->second->source()->removed().empty() && it->second->counts().readers == 0) {
                it = feeds_.erase(it);  // the stream went, and its last reader with it
            } else {
                feeds.push_back(it->second);
                ++it;
            }
        }
    }
    for (auto& f : feeds) f->tick();
    // A connection must play within the deadline: one that sends garbage, an endless header, SETUP
    // without PLAY, or that stopped playing (TEARDOWN, its session expired) holds a place for nothing.
    const auto now = std::chrono::steady_clock::now();
    GList* clients = gst_rtsp_server_client_filter(server, nullptr, nullptr);
    for (GList* l = clients; l; l = l->next) {
        auto* client = GST_RTSP_CLIENT(l->data);
        auto* c = connection_of(client);
        if (!c || c->closing) continue;
        GList* sessions = gst_rtsp_client_session_filter(client, nullptr, nullptr);
        const bool playing = c->played && sessions;
        g_list_free_full(sessions, g_object_unref);
        if (playing) c->idle_since = now;
        if (playing || now - c->idle_since < settings.start_timeout || c->closing.exchange(true)) continue;
        log_refusal(refusal::request, "rtsp connection peer={} closed: it did not play within {} s (--header-timeout)",
                    c->peer, settings.start_timeout.count());
        shut_down(client);
    }
    g_list_free_full(clients, g_object_unref);
}

rtsp_server::rtsp_server(rtsp_settings settings, std::shared_ptr<shared_state> state) : impl_(std::make_unique<impl>()) {
    impl_->settings = std::move(settings);
    impl_->state = std::move(state);
}

rtsp_server::~rtsp_server() { stop(); }

void rtsp_server::start() {
    auto& m = *impl_;
    if (!gst_is_initialized()) gst_init(nullptr, nullptr);
    for (const char* element : {"appsrc", "rtph264pay", "rtpbin", "udpsrc", "udpsink"}) {
        GstElementFactory* f = gst_element_factory_find(element);
        if (!f)
            throw std::runtime_error(std::string("RTSP needs GStreamer's ") + element +
                                     " element (Debian: gstreamer1.0-plugins-base and gstreamer1.0-plugins-good); "
                                     "--rtsp-port 0 turns RTSP off");
        gst_object_unref(f);
    }
    m.context = g_main_context_new();
    m.loop = g_main_loop_new(m.context, FALSE);
    m.server = make_gst_server(&m);
    gst_rtsp_server_set_address(m.server, m.settings.listen_address.c_str());
    gst_rtsp_server_set_service(m.server, std::to_string(m.settings.port).c_str());
    m.auth = make_gst_auth(&m);
    gst_rtsp_server_set_auth(m.server, m.auth);
    m.mounts = gst_rtsp_server_get_mount_points(m.server);
    GstRTSPThreadPool* threads = gst_rtsp_server_get_thread_pool(m.server);
    gst_rtsp_thread_pool_set_max_threads(threads, 4);  // a DESCRIBE waits for its first keyframe: a few at once
    g_object_unref(threads);
    GError* error = nullptr;
    const guint id = gst_rtsp_server_attach(m.server, m.context);
    if (id == 0) {
        // attach() only says it failed: bind the same way to say why.
        GSocket* probe = gst_rtsp_server_create_socket(m.server, nullptr, &error);
        std::string why = error ? error->message : "unknown error";
        if (error) g_error_free(error);
        if (probe) g_object_unref(probe);
        throw std::runtime_error("cannot listen for RTSP on " + m.settings.listen_address + ":" +
                                 std::to_string(m.settings.port) + ": " + why + " (--rtsp-port 0 turns RTSP off)");
    }
    m.bound_port = static_cast<std::uint16_t>(gst_rtsp_server_get_bound_port(m.server));
    // Sessions a reader left without TEARDOWN expire (GStreamer's timeout, 60 s).
    GstRTSPSessionPool* pool = gst_rtsp_server_get_session_pool(m.server);
    GSource* expiry = gst_rtsp_session_pool_create_watch(pool);
    GstRTSPSessionPoolFunc cleanup = +[](GstRTSPSessionPool* p, gpointer) -> gboolean {
        gst_rtsp_session_pool_cleanup(p);
        return G_SOURCE_CONTINUE;
    };
    // The watch calls a GstRTSPSessionPoolFunc through GSourceFunc (GLib's convention; via void(*)() to say so).
    g_source_set_callback(expiry, reinterpret_cast<GSourceFunc>(reinterpret_cast<void (*)()>(cleanup)), nullptr, nullptr);
    g_source_attach(expiry, m.context);
    g_source_unref(expiry);
    g_object_unref(pool);
    m.timer = g_timeout_source_new(500);
    g_source_set_callback(m.timer, +[](gpointer d) -> gboolean {
        static_cast<impl*>(d)->tick();
        return G_SOURCE_CONTINUE;
    }, &m, nullptr);
    g_source_attach(m.timer, m.context);
    m.thread = std::thread([&m] {
        pthread_setname_np(pthread_self(), "rtsp");  // GStreamer's own threads take their own names
        g_main_context_push_thread_default(m.context);
        g_main_loop_run(m.loop);
        g_main_context_pop_thread_default(m.context);
    });
}

void rtsp_server::stop() {
    auto& m = *impl_;
    if (!m.loop) return;
    // Close every connection on the server's thread, then end it.
    GSource* bye = g_idle_source_new();
    g_source_set_callback(bye, +[](gpointer d) -> gboolean {
        auto& self = *static_cast<impl*>(d);
        gst_rtsp_server_client_filter(self.server, +[](GstRTSPServer*, GstRTSPClient* c, gpointer) {
            shut_down(c);
            return GST_RTSP_FILTER_KEEP;
        }, nullptr);
        return G_SOURCE_REMOVE;
    }, &m, nullptr);
    g_source_attach(bye, m.context);
    g_source_unref(bye);
    // Each client closes itself on its own thread; a moment for them, then the server's thread ends.
    for (int i = 0; i < 40 && connections() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    g_main_loop_quit(m.loop);
    if (m.thread.joinable()) m.thread.join();
    if (m.timer) {
        g_source_destroy(m.timer);
        g_source_unref(m.timer);
    }
    g_object_unref(m.mounts);
    g_object_unref(m.auth);
    g_object_unref(m.server);
    g_main_loop_unref(m.loop);
    g_main_context_unref(m.context);
    m.loop = nullptr;
}

std::uint16_t rtsp_server::port() const { return impl_->bound_port; }

std::optional<rtsp_reader_stats> rtsp_server::stats(const std::string& name) const {
    std::lock_guard lock(impl_->mutex_);
    const auto it = impl_->feeds_.find(name);
    if (it == impl_->feeds_.end()) return std::nullopt;
    const auto t = it->second->counts();
    return rtsp_reader_stats{t.readers, t.units, t.bytes, t.dropped, t.cut_off};
}

std::size_t rtsp_server::connections() const {
    std::lock_guard lock(impl_->mutex_);
    return impl_->connections_;
}

}  // namespace wscam::rtsp
