#include "server/request_access.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace wscam {
namespace {

// What the control token opens on a route besides what the route needs.
enum class beyond { nothing, controls, sources };

struct access_rule {
    route_kind kind;
    token_need need;
    beyond control_also = beyond::nothing;
};

// The table: which token each route needs, and where the control token opens more.
constexpr std::array<access_rule, 22> rules{{
    {route_kind::page, token_need::nothing},  // the page asks for the token it then brings
    {route_kind::asset, token_need::nothing},
    {route_kind::health, token_need::nothing},  // load balancers and systemd ask without one
    {route_kind::origin_check, token_need::nothing},  // says only whether the asking page's own origin is allowed
    {route_kind::not_found, token_need::nothing},
    {route_kind::viewer_ws, token_need::view, beyond::controls},
    {route_kind::snapshot, token_need::view},
    {route_kind::mjpeg, token_need::view},
    {route_kind::rtsp, token_need::view},  // RTSP readers: the same video as the viewers'
    {route_kind::recordings, token_need::view},  // what the camera saw is camera data too
    {route_kind::recording, token_need::view},
    {route_kind::recording_export, token_need::view},
    {route_kind::recording_snapshot, token_need::view},
    {route_kind::recording_frames, token_need::view},
    {route_kind::recording_timelapse, token_need::view},
    {route_kind::recordings_delete, token_need::control},  // what cannot be undone: never the view token
    {route_kind::recording_clip, token_need::control},     // what is kept on disk: the control token's holder decides
    {route_kind::events, token_need::view},          // when someone walked past is camera data too
    {route_kind::event_snapshot, token_need::view},
    // The server-wide view token (no stream); a stream's source to that stream's control token.
    {route_kind::api_streams, token_need::view, beyond::sources},
    {route_kind::metrics, token_need::view},
    {route_kind::publish_ws, token_need::publish},
}};

// A new route kind must be placed here before it builds (not_found is the enum's last).
constexpr bool lists_every_kind_once() {
    for (int k = 0; k <= static_cast<int>(route_kind::not_found); ++k) {
        int times = 0;
        for (const auto& r : rules) times += static_cast<int>(r.kind) == k;
        if (times != 1) return false;
    }
    return rules.size() == static_cast<std::size_t>(route_kind::not_found) + 1;
}
static_assert(lists_every_kind_once(), "the table lists every route_kind once");

const access_rule& rule_for(route_kind kind) {
    for (const auto& r : rules)
        if (r.kind == kind) return r;
    return rules.front();  // not reached: the table lists every kind (above)
}

constexpr std::string_view view_refusal = "invalid or missing view token";
constexpr std::string_view publish_refusal = "invalid or missing publish token";

// Whether any control token is required here (server-wide, a stream's own, or a relayed
// stream's owner's): then a token that shows no source on the stream list may be a guess at
// one. (Relays once ignored their relayed streams here: wrong tokens were never braked there.)
bool any_control_token(const stream_access_table& access) {
    return !access.control_token.empty() ||
           std::any_of(access.streams.begin(), access.streams.end(),
                       [](const auto& s) { return s.second.control && !s.second.control->empty(); }) ||
           std::any_of(access.relayed.begin(), access.relayed.end(),
                       [](const auto& r) { return r.second.control.required(); });
}

access_verdict view_verdict(const access_rule& rule, const std::string& stream, std::string_view token,
                            const stream_access_table& access) {
    const auto view = access.view_check_for(stream);
    const auto control = access.control_check_for(stream);
    // Each check compares only when its answer matters: a relayed stream's verifier is costly.
    const bool view_opens = view.required() && view.matches(token);
    access_verdict v;
    v.allowed = !view.required() || view_opens || (control.required() && control.matches(token));
    if (!v.allowed) {
        v.refusal = view_refusal;
        v.guess = !token.empty();
        return v;
    }
    bool opens_something = true;  // a token where nothing more is to be had guesses at nothing
    switch (rule.control_also) {
    case beyond::nothing:
        break;
    case beyond::controls:
        // Without a control token every viewer controls: then no token is a guess here.
        v.control = control.matches(token);
        opens_something = v.control || view_opens;
        break;
    case beyond::sources:
        // The list's route adds the sources it showed the token (shows_source).
        opens_something = !any_control_token(access) || view_opens;
        break;
    }
    v.guess = !token.empty() && !opens_something;
    return v;
}

access_verdict control_verdict(const std::string& stream, std::string_view token, const stream_access_table& access) {
    const auto control = access.control_check_for(stream);
    access_verdict v;
    v.allowed = control.required() && control.matches(token);
    if (!control.required())
        v.refusal = "this needs a control token, and none is set: start wscam with --control-token (or give the "
                    "stream a control_token)";
    else if (!v.allowed)
        v.refusal = "invalid or missing control token";
    v.guess = !v.allowed && !token.empty() && control.required();
    return v;
}

access_verdict publish_verdict(std::string_view token, const publish_gate* gate) {
    access_verdict v;
    if (!gate) {
        // Not a push stream: the route says so (403 with the stream's name); no token opens it.
        v.allowed = false;
        v.refusal = "the stream takes no publishers";
        return v;
    }
    v.allowed = gate->token_ok(token);
    if (!v.allowed) {
        v.refusal = publish_refusal;
        v.guess = !token.empty();
    }
    return v;
}

}  // namespace

token_need token_needed_for(route_kind kind) { return rule_for(kind).need; }

bool guards_camera(route_kind kind) { return token_needed_for(kind) != token_need::nothing; }

std::string request_token(std::string_view authorization, std::string_view target, std::string_view cookie) {
    if (authorization.substr(0, 7) == "Bearer ") return std::string(authorization.substr(7));
    if (auto q = query_param(target, "token"); !q.empty()) return q;
    while (!cookie.empty()) {
        const auto semi = cookie.find(';');
        std::string_view c = cookie.substr(0, semi);
        while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
        if (c.substr(0, 12) == "wscam_token=") return std::string(c.substr(12));
        if (semi == std::string_view::npos) break;
        cookie.remove_prefix(semi + 1);
    }
    return {};
}

bool token_guards(route_kind kind, const std::string& stream, const stream_access_table& access,
                  const publish_gate* gate) {
    switch (token_needed_for(kind)) {
    case token_need::nothing:
        return false;
    case token_need::view:
        return access.view_check_for(stream).required();
    case token_need::publish:
        return gate && gate->requires_token();
    case token_need::control:
        return true;  // refused without one
    }
    return false;
}

access_verdict decide_access(route_kind kind, const std::string& stream, std::string_view token,
                             const stream_access_table& access, const publish_gate* gate) {
    const auto& rule = rule_for(kind);
    switch (rule.need) {
    case token_need::nothing:
        return {};
    case token_need::view:
        return view_verdict(rule, stream, token, access);
    case token_need::publish:
        return publish_verdict(token, gate);
    case token_need::control:
        return control_verdict(stream, token, access);
    }
    return {};
}

bool verifier_budget::allow(const token_check& check) {
    const auto* id = check.costly_identity();
    if (!id || std::find(tried_.begin(), tried_.end(), id) != tried_.end()) return true;
    if (tried_.size() >= max_verifiers) return false;
    tried_.push_back(id);
    return true;
}

bool shows_source(const stream_access_table& access, const std::string& stream, std::string_view token,
                  verifier_budget& budget) {
    const auto control = access.control_check_for(stream);
    return control.required() && budget.allow(control) && control.matches(token);
}

}  // namespace wscam
