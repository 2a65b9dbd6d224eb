#include "cluster/nats_link.hpp"

#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

#include "cluster/message_signature.hpp"
#include "core/rate_limit.hpp"
#include "core/command_words.hpp"

namespace wscam::cluster {
namespace {

std::string last_error_text(natsStatus s) {
    natsStatus ignored = NATS_OK;
    const char* text = nats_GetLastError(&ignored);
    return (text && *text) ? std::string(text) : std::string(natsStatus_GetText(s));
}

void check(natsStatus s, const char* what) {
    if (s != NATS_OK) throw std::runtime_error(std::string("NATS: ") + what + ": " + last_error_text(s));
}

std::string url_of(natsConnection* nc) {
    char buf[256] = {};
    if (natsConnection_GetConnectedUrl(nc, buf, sizeof buf) != NATS_OK) return "?";
    return redact_command_line(buf);
}

// Nothing may unwind into C.
template <class F>
void guarded(const char* where, F&& f) noexcept {
    try {
        f();
    } catch (const std::exception& e) {
        spdlog::error("cluster: {}: {}", where, e.what());
    } catch (...) {
        spdlog::error("cluster: {}: unknown error", where);
    }
}

}  // namespace

struct nats_link::impl {
    events on;
    std::string secret;  // empty: messages are neither signed nor checked
    std::mutex refused_mutex;
    rate_limit refused_log{std::chrono::minutes(1)};

    /** A received message: signed with our secret, less than a minute ago? Logs (rate-limited) when not. */
    bool authentic(natsMsg* msg, const incoming& in) {
        if (secret.empty()) return true;
        const char* sig = nullptr;
        const char* time = nullptr;
        std::string why;
        if (natsMsgHeader_Get(msg, "Wscam-Sig", &sig) != NATS_OK || natsMsgHeader_Get(msg, "Wscam-Time", &time) != NATS_OK) {
            why = "unsigned";
        } else {
            const signed_parts parts{in.subject, in.reply, in.node, in.epoch, time, in.data};
            char* end = nullptr;
            const long long sent = std::strtoll(time, &end, 10);
            const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count();
            if (!signature_matches(secret, parts, sig))
                why = "a wrong signature";
            else if (end == time || *end != '\0' || sent < now - max_signature_age_s || sent > now + max_signature_age_s)
                why = "signed more than a minute away from now (a replay, or a clock that is off)";
        }
        if (why.empty()) return true;
        std::uint64_t held = 0;
        std::lock_guard lock(refused_mutex);
        if (refused_log.allow(rate_limit::clock::now(), held))
            spdlog::warn("cluster: a message on {} dropped: {}; only nodes with this cluster's --cluster-secret-file "
                         "are heard{}", std::string(in.subject), why,
                         held ? " (" + std::to_string(held) + " more since the last line)" : "");
        return false;
    }
    natsConnection* nc = nullptr;
    std::mutex mutex;
    std::condition_variable cv;
    bool closed = false;
    std::atomic<bool> closing{false};
    std::string last_error;  // of the last failed publish (publishing thread)

    static void on_connected(natsConnection* nc, void* self) {
        auto* i = static_cast<impl*>(self);
        guarded("connected", [&] {
            if (i->on.connected) i->on.connected(url_of(nc));
        });
    }
    static void on_disconnected(natsConnection*, void* self) {
        auto* i = static_cast<impl*>(self);
        guarded("disconnected", [&] {
            if (i->on.disconnected && !i->closing) i->on.disconnected();  // not news when we close it ourselves
        });
    }
    static void on_closed(natsConnection* nc, void* self) {
        auto* i = static_cast<impl*>(self);
        guarded("closed", [&] {
            if (!i->on.closed || i->closing) return;
            const char* text = nullptr;
            const natsStatus s = natsConnection_GetLastError(nc, &text);
            i->on.closed(redact_command_line(text && *text ? text : natsStatus_GetText(s)));
        });
        std::lock_guard lock(i->mutex);
        i->closed = true;
        i->cv.notify_all();
    }
    static void on_error(natsConnection*, natsSubscription* sub, natsStatus err, void* self) {
        auto* i = static_cast<impl*>(self);
        guarded("error", [&] {
            std::string what = natsStatus_GetText(err);
            if (err == NATS_SLOW_CONSUMER && sub)
                what = std::string("falling behind on ") + natsSubscription_GetSubject(sub) +
                       ": NATS dropped messages for this node (slow consumer)";
            if (i->on.error) i->on.error(what);
        });
    }
};

nats_link::nats_link(const std::vector<std::string>& urls, const std::string& name, events on, std::string secret)
    : impl_(std::make_unique<impl>()) {
    impl_->on = std::move(on);
    impl_->secret = std::move(secret);
    if (urls.empty()) throw std::invalid_argument("NATS: no server URL");
    natsOptions* o = nullptr;
    check(natsOptions_Create(&o), "options");
    std::unique_ptr<natsOptions, void (*)(natsOptions*)> opts(o, natsOptions_Destroy);
    std::vector<const char*> list;
    for (const auto& u : urls) list.push_back(u.c_str());
    check(natsOptions_SetServers(o, list.data(), static_cast<int>(list.size())), "server list");
    check(natsOptions_SetNoRandomize(o, true), "no randomize");  // the first URL is this node's own server
    check(natsOptions_SetName(o, name.c_str()), "name");
    check(natsOptions_SetTimeout(o, 1000), "timeout");
    check(natsOptions_SetMaxReconnect(o, -1), "reconnect");  // forever
    check(natsOptions_SetReconnectWait(o, 250), "reconnect wait");
    check(natsOptions_SetReconnectJitter(o, 100, 1000), "reconnect jitter");
    check(natsOptions_SetPingInterval(o, 1000), "ping interval");
    check(natsOptions_SetMaxPingsOut(o, 2), "pings out");
    check(natsOptions_SetWriteDeadline(o, 2000), "write deadline");
    check(natsOptions_SetNoEcho(o, true), "no echo");
    // Subscriptions share one delivery thread: the thread count does not grow with the streams.
    check(natsOptions_UseGlobalMessageDelivery(o, true), "global delivery");
    check(natsOptions_SetDisconnectedCB(o, &impl::on_disconnected, impl_.get()), "callbacks");
    check(natsOptions_SetReconnectedCB(o, &impl::on_connected, impl_.get()), "callbacks");
    check(natsOptions_SetClosedCB(o, &impl::on_closed, impl_.get()), "callbacks");
    check(natsOptions_SetErrorHandler(o, &impl::on_error, impl_.get()), "callbacks");
    // Never wait for a server at start: connect in the background.
    check(natsOptions_SetRetryOnFailedConnect(o, true, &impl::on_connected, impl_.get()), "retry");
    const natsStatus s = natsConnection_Connect(&impl_->nc, o);
    if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) check(s, "connect");
    if (s == NATS_OK) impl::on_connected(impl_->nc, impl_.get());  // connected at once: RetryOnFailedConnect's callback is not called
    natsInbox* inbox = nullptr;
    check(natsInbox_Create(&inbox), "inbox");
    inbox_ = inbox;
    natsInbox_Destroy(inbox);
}

nats_link::~nats_link() {
    if (!impl_->nc) return;
    impl_->closing = true;
    natsConnection_Close(impl_->nc);
    {
        // Close runs every subscription's completion and then the closed callback; bounded.
        std::unique_lock lock(impl_->mutex);
        impl_->cv.wait_for(lock, std::chrono::seconds(2), [&] { return impl_->closed; });
    }
    natsConnection_Destroy(impl_->nc);
}

std::string nats_link::connection_error() const {
    const char* text = nullptr;
    const natsStatus s = natsConnection_GetLastError(impl_->nc, &text);
    if (s == NATS_OK) return {};
    return redact_command_line(text && *text ? std::string(text) : std::string(natsStatus_GetText(s)));
}

bool nats_link::gave_up() const { return natsConnection_IsClosed(impl_->nc); }

bool nats_link::connected() const { return natsConnection_Status(impl_->nc) == NATS_CONN_STATUS_CONNECTED; }

std::int64_t nats_link::max_payload() const { return connected() ? natsConnection_GetMaxPayload(impl_->nc) : 0; }

nats_link::sent nats_link::do_publish(const std::string& subject, std::span<const std::uint8_t> data,
                                      std::string_view node, std::string_view epoch, const std::string& reply) {
    if (!connected()) return sent::not_connected;
    const int size = static_cast<int>(data.size());
    natsStatus s = NATS_OK;
    if (node.empty() && impl_->secret.empty()) {
        s = reply.empty() ? natsConnection_Publish(impl_->nc, subject.c_str(), data.data(), size)
                          : natsConnection_PublishRequest(impl_->nc, subject.c_str(), reply.c_str(), data.data(), size);
    } else {
        natsMsg* m = nullptr;
        s = natsMsg_Create(&m, subject.c_str(), reply.empty() ? nullptr : reply.c_str(),
                           reinterpret_cast<const char*>(data.data()), size);
        if (s == NATS_OK && !node.empty()) s = natsMsgHeader_Set(m, "Wscam-Node", std::string(node).c_str());
        if (s == NATS_OK && !node.empty()) s = natsMsgHeader_Set(m, "Wscam-Epoch", std::string(epoch).c_str());
        if (s == NATS_OK && !impl_->secret.empty()) {
            const auto time = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now().time_since_epoch()).count());
            const auto sig = sign_message(impl_->secret, {subject, reply, node, node.empty() ? std::string_view() : epoch,
                                                          time, data});
            s = natsMsgHeader_Set(m, "Wscam-Time", time.c_str());
            if (s == NATS_OK) s = natsMsgHeader_Set(m, "Wscam-Sig", sig.c_str());
        }
        if (s == NATS_OK) s = natsConnection_PublishMsg(impl_->nc, m);
        natsMsg_Destroy(m);
    }
    if (s == NATS_OK) return sent::ok;
    impl_->last_error = last_error_text(s);
    if (s == NATS_MAX_PAYLOAD) return sent::too_large;
    if (s == NATS_CONNECTION_DISCONNECTED || s == NATS_CONNECTION_CLOSED) return sent::not_connected;
    return sent::failed;
}

// The handler lives until nats.c says the subscription is over (its last call has returned).
struct nats_link::nats_subscription final : transport::subscription {
    natsSubscription* sub = nullptr;
    struct holder {
        std::function<void(const incoming&)> handler;
        nats_link::impl* link;  // outlives its subscriptions
    };
    holder* closure = nullptr;

    static void on_message(natsConnection*, natsSubscription*, natsMsg* msg, void* c) {
        guarded("message", [&] {
            const char* node = nullptr;
            const char* epoch = nullptr;
            if (natsMsgHeader_Get(msg, "Wscam-Node", &node) != NATS_OK) node = nullptr;
            if (natsMsgHeader_Get(msg, "Wscam-Epoch", &epoch) != NATS_OK) epoch = nullptr;
            const char* reply = natsMsg_GetReply(msg);
            incoming in{natsMsg_GetSubject(msg), reply ? std::string_view(reply) : std::string_view(),
                        {reinterpret_cast<const std::uint8_t*>(natsMsg_GetData(msg)),
                         static_cast<std::size_t>(natsMsg_GetDataLength(msg))},
                        node ? std::string_view(node) : std::string_view(),
                        epoch ? std::string_view(epoch) : std::string_view()};
            auto* h = static_cast<holder*>(c);
            if (h->link->authentic(msg, in)) h->handler(in);
        });
        natsMsg_Destroy(msg);
    }
    static void on_complete(void* c) { delete static_cast<holder*>(c); }

    ~nats_subscription() override {
        if (!sub) return;
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
    }
};

std::unique_ptr<transport::subscription> nats_link::do_subscribe(const std::string& subject,
                                                                 std::function<void(const incoming&)> handler,
                                                                 int pending_msgs, std::string* error,
                                                                 std::int64_t pending_bytes) {
    auto i = std::make_unique<nats_subscription>();
    i->closure = new nats_subscription::holder{std::move(handler), impl_.get()};
    natsStatus s = natsConnection_Subscribe(&i->sub, impl_->nc, subject.c_str(), &nats_subscription::on_message, i->closure);
    if (s != NATS_OK) {
        if (error) *error = "cannot subscribe to " + subject + ": " + last_error_text(s);
        delete i->closure;
        i->sub = nullptr;
        return nullptr;
    }
    if (natsSubscription_SetOnCompleteCB(i->sub, &nats_subscription::on_complete, i->closure) != NATS_OK) {
        // Already closed (the connection closed in between): leak the few bytes rather than risk
        // freeing what a last call may still use.
    }
    // Small queues: when this node falls behind, nats.c drops messages instead of queueing them.
    if (pending_msgs > 0 || pending_bytes > 0)
        natsSubscription_SetPendingLimits(i->sub, pending_msgs > 0 ? pending_msgs : 65536,
                                          pending_bytes > 0 ? pending_bytes : 64 * 1024 * 1024);
    return i;
}

std::string nats_link::last_error() const { return impl_->last_error; }

void nats_link::shutdown_library() { nats_CloseAndWait(2000); }

}  // namespace wscam::cluster
