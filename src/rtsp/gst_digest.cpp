#include "rtsp/gst_digest.hpp"

#include <gst/rtsp/gstrtspdefs.h>

#include <cctype>
#include <cstring>

namespace wscam::rtsp {

digest_credentials::digest_credentials(GstRTSPMessage* request) {
    GstRTSPAuthCredential** all = gst_rtsp_message_parse_auth_credentials(request, GST_RTSP_HDR_AUTHORIZATION);
    for (auto** c = all; c && *c; ++c) {
        if ((*c)->scheme != GST_RTSP_AUTH_DIGEST) continue;
        for (auto** p = (*c)->params; p && *p; ++p) {
            const std::string name = (*p)->name ? (*p)->name : "", value = (*p)->value ? (*p)->value : "";
            if (name == "username") user_ = value;
            else if (name == "realm") realm_ = value;
            else if (name == "nonce") nonce_ = value;
            else if (name == "uri") uri_ = value;
            else if (name == "response") response_ = value;
        }
        present_ = true;
        break;
    }
    if (all) gst_rtsp_auth_credentials_free(all);
}

bool digest_credentials::made_with(const std::string& password, const char* method, const std::string& realm,
                                   const std::string& nonce) const {
    if (realm_ != realm || nonce_ != nonce || response_.size() != 32) return false;
    gchar* expected = gst_rtsp_generate_digest_auth_response(nullptr, method, realm_.c_str(), user_.c_str(), password.c_str(),
                                                             uri_.c_str(), nonce_.c_str());
    if (!expected) return false;
    unsigned diff = std::strlen(expected) == response_.size() ? 0 : 1;
    for (std::size_t i = 0; i < response_.size() && expected[i]; ++i)
        diff |= static_cast<unsigned>(std::tolower(static_cast<unsigned char>(response_[i])) ^ static_cast<unsigned char>(expected[i]));
    g_free(expected);
    return diff == 0;
}

}  // namespace wscam::rtsp
