#include "rtsp/rtsp_access.hpp"

#include "rtsp/rtsp_request.hpp"
#include "server/request_access.hpp"

namespace wscam::rtsp {
namespace {

// The token Digest credentials were made with: the stream's view or control token, where this
// node has them in clear (a relayed stream's owner announces only verifiers); empty if neither.
std::string digest_token(const rtsp_ask& ask, const stream_access_table& access, const std::string& stream) {
    if (access.relayed.contains(stream)) return {};
    for (const auto* candidate : {&access.view_token_for(stream), &access.control_token_for(stream)})
        if (!candidate->empty() && ask.digest(*candidate)) return *candidate;
    return {};
}

}  // namespace

rtsp_verdict decide_rtsp(const rtsp_ask& ask, const stream_access_table& access,
                         const std::function<bool(const std::string&)>& exists, const std::set<std::string>& opened,
                         bool blocked) {
    rtsp_verdict v;
    if (ask.options) return v;  // names no stream's data; players send it first, without credentials
    std::string why;
    const auto target = parse_target(ask.abspath, &why);
    if (!target) {
        v.status = 404;
        v.reason = why;
        return v;
    }
    v.stream = target->stream;
    if (!exists(v.stream)) {
        v.status = 404;
        v.reason = "no stream named '" + v.stream + "'";
        return v;
    }
    auto token = presented_token(ask.authorization, ask.query);
    const bool digest = token.empty() && ask.digest;
    if (token.empty() && !digest && opened.contains(v.stream)) return v;
    if ((!token.empty() || digest) && blocked) {
        v.status = 403;
        v.reason = "too many wrong tokens from this address: try again later";
        return v;
    }
    if (digest) {
        token = digest_token(ask, access, v.stream);
        if (token.empty()) {
            // Credentials that match no token: fine only where none is needed (as a wrong Basic password).
            if (!access.view_check_for(v.stream).required()) return v;
            const bool relayed = access.relayed.contains(v.stream);
            v.status = 401;
            v.reason = relayed ? "Digest cannot be checked for a stream another node serves: send the token as the "
                                 "Basic password or as ?token="
                               : "invalid or missing view token";
            v.challenge = true;
            v.guess = !relayed;
            return v;
        }
    }
    const auto verdict = decide_access(route_kind::rtsp, v.stream, token, access, nullptr);
    if (!verdict.allowed) {
        v.status = 401;
        v.reason = std::string(verdict.refusal);
        v.challenge = true;
        v.guess = verdict.guess;
        return v;
    }
    v.authenticated = !token.empty();
    return v;
}

}  // namespace wscam::rtsp
