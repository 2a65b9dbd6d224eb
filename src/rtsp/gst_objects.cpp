// The GObject subclasses of GStreamer's RTSP client, server and auth that wscam needs: each adds
// one thing. The client: a path without the query, and the connection's state. The server: a
// client per connection, admitted under the per-address cap. The auth: wscam's verdict.
#include <gst/gst.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "rtsp/rtsp_server_impl.hpp"
#include "server/shared_state.hpp"

using wscam::rtsp::connection;
using wscam::rtsp::rtsp_server;

// GObject subclasses of GStreamer's RTSP client, server and auth: each adds one thing (see their class_init).
extern "C" {
struct WscamRtspClient {
    GstRTSPClient parent;
    wscam::rtsp::connection* conn;
};
struct WscamRtspClientClass {
    GstRTSPClientClass parent_class;
};
struct WscamRtspServer {
    GstRTSPServer parent;
    wscam::rtsp::rtsp_server::impl* owner;
};
struct WscamRtspServerClass {
    GstRTSPServerClass parent_class;
};
struct WscamRtspAuth {
    GstRTSPAuth parent;
    wscam::rtsp::rtsp_server::impl* owner;
};
struct WscamRtspAuthClass {
    GstRTSPAuthClass parent_class;
};
}

namespace {

GType wscam_rtsp_client_get_type();
WscamRtspClient* as_wscam_client(GstRTSPClient* c) {
    return G_TYPE_CHECK_INSTANCE_TYPE(c, wscam_rtsp_client_get_type()) ? reinterpret_cast<WscamRtspClient*>(c) : nullptr;
}

// ---- The client: the path GStreamer matches never holds the query, and the connection's state.

G_DEFINE_TYPE(WscamRtspClient, wscam_rtsp_client, GST_TYPE_RTSP_CLIENT)

// "/NAME?token=T" must mount and match as "/NAME", and the Content-Base (made from this path)
// must not carry the token into SETUP and PLAY, or into a player's logs.
gchar* client_make_path(GstRTSPClient*, const GstRTSPUrl* uri) { return g_strdup(uri->abspath); }

void client_play_request(GstRTSPClient* client, GstRTSPContext*) {
    auto* c = as_wscam_client(client);
    if (!c || c->conn->played.exchange(true)) return;
    spdlog::info("rtsp reader peer={} stream={} playing", c->conn->peer, c->conn->stream());
}

void client_finalize(GObject* object) {
    auto* c = reinterpret_cast<WscamRtspClient*>(object);
    delete c->conn;
    c->conn = nullptr;
    G_OBJECT_CLASS(wscam_rtsp_client_parent_class)->finalize(object);
}

void wscam_rtsp_client_class_init(WscamRtspClientClass* klass) {
    GST_RTSP_CLIENT_CLASS(klass)->make_path_from_uri = client_make_path;
    GST_RTSP_CLIENT_CLASS(klass)->play_request = client_play_request;
    G_OBJECT_CLASS(klass)->finalize = client_finalize;
}

void wscam_rtsp_client_init(WscamRtspClient* self) { self->conn = new connection; }

// ---- The server: a client per connection, admitted under the per-address cap.

G_DEFINE_TYPE(WscamRtspServer, wscam_rtsp_server, GST_TYPE_RTSP_SERVER)

// The remote address of an accepted connection: its client key (limits) and its text (logs).
bool remote_of(GstRTSPConnection* conn, std::string& key, std::string& peer) {
    GSocket* socket = gst_rtsp_connection_get_read_socket(conn);
    if (!socket) return false;
    GSocketAddress* address = g_socket_get_remote_address(socket, nullptr);
    if (!address || !G_IS_INET_SOCKET_ADDRESS(address)) {
        if (address) g_object_unref(address);
        return false;
    }
    GInetAddress* ip = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(address));
    const auto size = g_inet_address_get_native_size(ip);
    const auto* bytes = g_inet_address_to_bytes(ip);
    key = wscam::client_key(std::span<const unsigned char>(bytes, size));
    gchar* text = g_inet_address_to_string(ip);
    const bool v6 = g_inet_address_get_family(ip) == G_SOCKET_FAMILY_IPV6;
    peer = (v6 ? "[" : "") + std::string(text) + (v6 ? "]:" : ":") +
           std::to_string(g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(address)));
    g_free(text);
    g_object_unref(address);
    // Sent, not queued: the kernel holds at most 16 KiB unsent for a reader, as for a WebSocket viewer,
    // so a slow reader's backlog shows in its own queue (reader_gate), not as seconds in the socket.
    const int lowat = 16 * 1024;
    setsockopt(g_socket_get_fd(socket), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
    return true;
}

GstRTSPClient* server_create_client(GstRTSPServer* server) {
    auto* owner = reinterpret_cast<WscamRtspServer*>(server)->owner;
    GstRTSPContext* ctx = gst_rtsp_context_get_current();
    std::string key, peer;
    if (!ctx || !ctx->conn || !remote_of(ctx->conn, key, peer)) return nullptr;
    auto ticket = owner->state->limits().admit(key);
    if (!ticket) {
        const bool server_full = ticket.why() == wscam::client_limits::refusal::server_full;
        owner->log_refusal(rtsp_server::impl::refusal::connection, "rtsp connection refused peer={}: {}", peer,
                           server_full ? "the server has its most connections (--max-connections)"
                                       : "this address has its most connections (--max-connections-per-ip)");
        return nullptr;  // GStreamer closes the connection
    }
    auto* client = GST_RTSP_CLIENT(g_object_new(wscam_rtsp_client_get_type(), nullptr));
    auto* conn = reinterpret_cast<WscamRtspClient*>(client)->conn;
    conn->ticket = std::move(ticket);
    conn->peer = peer;
    GstRTSPSessionPool* pool = gst_rtsp_server_get_session_pool(server);
    GstRTSPMountPoints* mounts = gst_rtsp_server_get_mount_points(server);
    GstRTSPAuth* auth = gst_rtsp_server_get_auth(server);
    GstRTSPThreadPool* threads = gst_rtsp_server_get_thread_pool(server);
    gst_rtsp_client_set_session_pool(client, pool);
    gst_rtsp_client_set_mount_points(client, mounts);
    gst_rtsp_client_set_auth(client, auth);
    gst_rtsp_client_set_thread_pool(client, threads);
    gst_rtsp_client_set_content_length_limit(client, 64 * 1024);  // no request of ours has a body this large
    g_object_unref(pool);
    g_object_unref(mounts);
    g_object_unref(auth);
    g_object_unref(threads);
    {
        std::lock_guard lock(owner->mutex_);
        ++owner->connections_;
    }
    g_signal_connect(client, "closed", G_CALLBACK(+[](GstRTSPClient* c, gpointer data) {
        auto* o = static_cast<rtsp_server::impl*>(data);
        if (auto* wc = as_wscam_client(c); wc && wc->conn->played)
            spdlog::info("rtsp reader peer={} stream={} left after {} s", wc->conn->peer, wc->conn->stream(),
                         std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - wc->conn->since).count());
        std::lock_guard lock(o->mutex_);
        --o->connections_;
    }), owner);
    return client;
}

void wscam_rtsp_server_class_init(WscamRtspServerClass* klass) { GST_RTSP_SERVER_CLASS(klass)->create_client = server_create_client; }
void wscam_rtsp_server_init(WscamRtspServer* self) { self->owner = nullptr; }

// ---- Auth: wscam's stream lookup and tokens instead of GStreamer's users and roles.

G_DEFINE_TYPE(WscamRtspAuth, wscam_rtsp_auth, GST_TYPE_RTSP_AUTH)

gboolean auth_check(GstRTSPAuth* auth, GstRTSPContext* ctx, const gchar* check) {
    auto* owner = reinterpret_cast<WscamRtspAuth*>(auth)->owner;
    if (g_str_equal(check, GST_RTSP_AUTH_CHECK_URL)) return owner->check_url(ctx);
    // Multicast is not offered; a client never chooses where the server sends (its own address only).
    if (g_str_equal(check, GST_RTSP_AUTH_CHECK_TRANSPORT_CLIENT_SETTINGS)) return FALSE;
    return TRUE;  // the connection was admitted (create_client); the factory and media follow the URL's check
}

void wscam_rtsp_auth_class_init(WscamRtspAuthClass* klass) { GST_RTSP_AUTH_CLASS(klass)->check = auth_check; }
void wscam_rtsp_auth_init(WscamRtspAuth* self) { self->owner = nullptr; }

}  // namespace

namespace wscam::rtsp {

GstRTSPServer* make_gst_server(rtsp_server::impl* owner) {
    auto* s = reinterpret_cast<WscamRtspServer*>(g_object_new(wscam_rtsp_server_get_type(), nullptr));
    s->owner = owner;
    return GST_RTSP_SERVER(s);
}

GstRTSPAuth* make_gst_auth(rtsp_server::impl* owner) {
    auto* a = reinterpret_cast<WscamRtspAuth*>(g_object_new(wscam_rtsp_auth_get_type(), nullptr));
    a->owner = owner;
    return GST_RTSP_AUTH(a);
}

void shut_down(GstRTSPClient* client) {
    GstRTSPConnection* conn = gst_rtsp_client_get_connection(client);
    if (!conn) return;
    for (GSocket* s : {gst_rtsp_connection_get_read_socket(conn), gst_rtsp_connection_get_write_socket(conn)})
        if (s) ::shutdown(g_socket_get_fd(s), SHUT_RDWR);
}

connection* connection_of(GstRTSPClient* client) {
    return client && G_TYPE_CHECK_INSTANCE_TYPE(client, wscam_rtsp_client_get_type())
               ? reinterpret_cast<WscamRtspClient*>(client)->conn
               : nullptr;
}

}  // namespace wscam::rtsp
