#include "core/token_check.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <mutex>
#include <stdexcept>

#include "core/publish_gate.hpp"

namespace wscam {
namespace {

constexpr std::string_view prefix = "pbkdf2-sha256$10000$";
constexpr int iterations = 10000;  // only this count is accepted: a peer must not choose our CPU cost
using salt_bytes = std::array<unsigned char, 16>;
using hash_bytes = std::array<unsigned char, 32>;

template <std::size_t N>
bool from_hex(std::string_view hex, std::array<unsigned char, N>& out) {
    if (hex.size() != 2 * N) return false;
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;  // lowercase only: one text per verifier
    };
    for (std::size_t i = 0; i < N; ++i) {
        const int hi = digit(hex[2 * i]), lo = digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    return true;
}

template <std::size_t N>
std::string to_hex(const std::array<unsigned char, N>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

hash_bytes derive(std::string_view token, const salt_bytes& salt) {
    hash_bytes out{};
    if (PKCS5_PBKDF2_HMAC(token.data(), static_cast<int>(token.size()), salt.data(), static_cast<int>(salt.size()),
                          iterations, EVP_sha256(), static_cast<int>(out.size()), out.data()) != 1)
        throw std::runtime_error("PBKDF2 failed");
    return out;
}

hash_bytes sha256(std::string_view text) {
    hash_bytes out{};
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
    return out;
}

}  // namespace

struct token_check::verifier_state {
    salt_bytes salt{};
    hash_bytes hash{};
    std::mutex mutex;
    std::optional<hash_bytes> last_match;  // SHA-256 of the last token that matched
    std::optional<hash_bytes> last_miss;   // and of the last that did not (a page listing many streams asks often)
};

token_check token_check::token(std::string token) {
    token_check c;
    c.token_ = std::move(token);
    return c;
}

std::optional<token_check> token_check::verifier(std::string_view text) {
    if (!text.starts_with(prefix)) return std::nullopt;
    text.remove_prefix(prefix.size());
    const auto dollar = text.find('$');
    if (dollar == std::string_view::npos) return std::nullopt;
    auto state = std::make_shared<verifier_state>();
    if (!from_hex(text.substr(0, dollar), state->salt) || !from_hex(text.substr(dollar + 1), state->hash))
        return std::nullopt;
    token_check c;
    c.verifier_ = std::move(state);
    return c;
}

token_check token_check::nobody() {
    token_check c;
    c.nobody_ = true;
    return c;
}

bool token_check::required() const { return nobody_ || verifier_ || !token_.empty(); }

bool token_check::matches(std::string_view given) const {
    if (nobody_) return false;
    if (!verifier_) return token_matches(token_, given);
    if (given.empty()) return false;
    const auto digest = sha256(given);
    {
        std::lock_guard lock(verifier_->mutex);
        auto same = [&](const std::optional<hash_bytes>& h) {
            return h && CRYPTO_memcmp(h->data(), digest.data(), digest.size()) == 0;
        };
        if (same(verifier_->last_match)) return true;
        if (same(verifier_->last_miss)) return false;
    }
    const auto derived = derive(given, verifier_->salt);
    const bool ok = CRYPTO_memcmp(derived.data(), verifier_->hash.data(), derived.size()) == 0;
    std::lock_guard lock(verifier_->mutex);
    (ok ? verifier_->last_match : verifier_->last_miss) = digest;
    return ok;
}

std::string make_token_verifier(std::string_view token) {
    salt_bytes salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) throw std::runtime_error("no random bytes for a salt");
    return std::string(prefix) + to_hex(salt) + "$" + to_hex(derive(token, salt));
}

}  // namespace wscam
