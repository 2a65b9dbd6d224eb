#pragma once

#include <gst/rtsp/gstrtspmessage.h>

#include <string>

namespace wscam::rtsp {

/**
 * A request's Digest credentials (RFC 2069, as RTSP players send them: no qop), parsed by
 * GStreamer, and whether they were made with a given password: the response computed by
 * GStreamer's own digest function, compared in constant time. Only for the server's realm and
 * the connection's nonce, so credentials seen on another connection are worth nothing.
 */
class digest_credentials {
public:
    explicit digest_credentials(GstRTSPMessage* request);
    bool present() const { return present_; }
    bool made_with(const std::string& password, const char* method, const std::string& realm, const std::string& nonce) const;

private:
    bool present_ = false;
    std::string user_, realm_, nonce_, uri_, response_;
};

}  // namespace wscam::rtsp
