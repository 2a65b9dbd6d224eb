#include "cluster/message_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace wscam::cluster {
namespace {

using mac_ptr = std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)>;
using ctx_ptr = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

std::array<unsigned char, 32> mac(std::string_view secret, const signed_parts& p) {
    static const mac_ptr hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr), EVP_MAC_free);
    if (!hmac) throw std::runtime_error("OpenSSL has no HMAC");
    ctx_ptr ctx(EVP_MAC_CTX_new(hmac.get()), EVP_MAC_CTX_free);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
    if (!ctx || EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params) != 1)
        throw std::runtime_error("HMAC init failed");
    auto part = [&](const void* data, std::size_t size) {
        unsigned char length[8];
        for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(size) >> (56 - 8 * i));
        EVP_MAC_update(ctx.get(), length, sizeof length);
        if (size > 0) EVP_MAC_update(ctx.get(), static_cast<const unsigned char*>(data), size);
    };
    for (const auto text : {p.subject, p.reply, p.node, p.epoch, p.time}) part(text.data(), text.size());
    part(p.body.data(), p.body.size());
    std::array<unsigned char, 32> out{};
    std::size_t written = 0;
    if (EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size())
        throw std::runtime_error("HMAC final failed");
    return out;
}

}  // namespace

std::string sign_message(std::string_view secret, const signed_parts& parts) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const auto b : mac(secret, parts)) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

bool signature_matches(std::string_view secret, const signed_parts& parts, std::string_view signature) {
    const auto expected = sign_message(secret, parts);
    return signature.size() == expected.size() && CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) == 0;
}

}  // namespace wscam::cluster
