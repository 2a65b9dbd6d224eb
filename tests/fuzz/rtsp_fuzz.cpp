// libFuzzer target for what an RTSP client's request reaches in wscam, end to end, before
// GStreamer's RTSP server (whose own request parsing is the library's): the URL's path and query
// and the Authorization header, through the access verdict (stream, token, Basic credentials,
// the connection's remembered streams, the wrong-token brake) to the answer's status and reason.
// Input: flags byte, then path '\n' query '\n' authorization.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "core/token_check.hpp"
#include "rtsp/rtsp_access.hpp"
#include "rtsp/rtsp_request.hpp"

namespace {

wscam::stream_access_table table() {
    wscam::stream_access_table t;
    t.view_token = "view";
    t.control_token = "control";
    t.streams["open"] = {std::string(), std::nullopt};
    t.streams["own"] = {std::string("own-view"), std::nullopt};
    t.relayed["far"] = {wscam::token_check::token("far-view"), wscam::token_check::nobody()};
    return t;
}

std::string_view cut(std::string_view& rest) {
    const auto nl = rest.find('\n');
    const auto part = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    static const auto access = table();
    const auto flags = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    wscam::rtsp::rtsp_ask ask;
    ask.options = flags & 1;
    ask.describe = flags & 2;
    ask.abspath = cut(rest);
    ask.query = cut(rest);
    ask.authorization = rest;
    std::set<std::string> opened;
    if (flags & 4) opened.insert("cam");
    const auto exists = [](const std::string& n) { return n == "cam" || n == "open" || n == "own" || n == "far"; };
    const auto v = wscam::rtsp::decide_rtsp(ask, access, exists, opened, flags & 8);
    // The answer's invariants: a status wscam sends, a reason with it, never a token in it.
    if (v.status != 0 && v.status != 401 && v.status != 403 && v.status != 404) __builtin_trap();
    if (v.status != 0 && v.reason.empty()) __builtin_trap();
    if (v.status == 0 && !ask.options && v.stream.empty()) __builtin_trap();
    if (v.authenticated && v.status != 0) __builtin_trap();
    (void)wscam::rtsp::basic_password(ask.authorization);
    return 0;
}
