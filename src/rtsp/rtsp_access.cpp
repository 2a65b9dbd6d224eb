#include "rtsp/rtsp_access.hpp"

#include "rtsp/rtsp_request.hpp"
#include "server/request_access.hpp"

namespace wscam::rtsp {

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
    const auto token = presented_token(ask.authorization, ask.query);
    if (token.empty() && opened.contains(v.stream)) return v;
    if (!token.empty() && blocked) {
        v.status = 403;
        v.reason = "too many wrong tokens from this address: try again later";
        return v;
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
