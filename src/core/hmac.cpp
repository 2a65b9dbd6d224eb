#include "core/hmac.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace wscam {

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
    unsigned char out[32];
    std::size_t written = 0;
    char digest[] = "SHA256";
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, key.data(), key.size(), reinterpret_cast<const unsigned char*>(data.data()),
                   data.size(), out, sizeof out, &written) ||
        written != sizeof out)
        throw std::runtime_error("HMAC-SHA256 failed");
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    for (const unsigned char b : out) {
        hex += digits[b >> 4];
        hex += digits[b & 15];
    }
    return hex;
}

}  // namespace wscam
