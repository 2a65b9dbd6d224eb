#include "server/tls/certificate_store.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace wscam::tls {
namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's own words for the newest error on this thread's queue, then the queue cleared.
std::string openssl_reason(const std::string& fallback) {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        const char* reason = ERR_reason_error_string(e);
        if (reason && out.empty()) out = reason;
    }
    return out.empty() ? fallback : out;
}

void check_readable(const std::string& what, const std::string& file) {
    if (file.empty()) throw std::runtime_error("TLS: " + what + " file not given");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("TLS " + what + " " + file + ": cannot read: " + std::strerror(errno));
}

std::string name_text(X509_NAME* name) {
    if (!name) return "?";
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

std::string time_text(const ASN1_TIME* t) {
    BIO* bio = BIO_new(BIO_s_mem());
    ASN1_TIME_print(bio, t);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

// The DNS names in a certificate's subjectAltName ("*.example.com" included).
std::vector<std::string> dns_names(X509* cert) {
    std::vector<std::string> out;
    if (!cert) return out;
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        if (n->type != GEN_DNS) continue;
        const auto* s = n->d.dNSName;
        out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));
    }
    GENERAL_NAMES_free(names);
    return out;
}

}  // namespace

std::shared_ptr<ssl::context> make_server_context(const std::string& cert_file, const std::string& key_file,
                                                  certificate_summary* summary) {
    check_readable("certificate", cert_file);
    check_readable("key", key_file);
    ERR_clear_error();
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1)
        throw std::runtime_error("TLS certificate " + cert_file + ": " +
                                 openssl_reason("not a PEM certificate") + " (expected PEM: -----BEGIN CERTIFICATE-----)");
    if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
        const auto reason = openssl_reason("not a PEM private key");
        if (mismatch)
            throw std::runtime_error("TLS key " + key_file + " does not belong to the certificate in " + cert_file);
        throw std::runtime_error("TLS key " + key_file + ": " + reason + " (expected an unencrypted PEM private key)");
    }
    if (SSL_CTX_check_private_key(native) != 1)
        throw std::runtime_error("TLS key " + key_file + " does not belong to the certificate in " + cert_file + ": " +
                                 openssl_reason("key mismatch"));
    ERR_clear_error();
    if (summary) {
        X509* leaf = SSL_CTX_get0_certificate(native);
        summary->subject = name_text(leaf ? X509_get_subject_name(leaf) : nullptr);
        summary->not_after = leaf ? time_text(X509_get0_notAfter(leaf)) : "?";
        summary->expired = leaf && X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0;
        STACK_OF(X509)* chain = nullptr;
        SSL_CTX_get0_chain_certs(native, &chain);
        summary->chain_length = chain ? sk_X509_num(chain) : 0;
        summary->dns_names = dns_names(leaf);
    }
    return ctx;
}

certificate_store::certificate_store(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {
    context_ = make_server_context(cert_file_, key_file_, &summary_);
}

std::shared_ptr<ssl::context> certificate_store::current() const {
    std::lock_guard lock(mutex_);
    return context_;
}

certificate_summary certificate_store::summary() const {
    std::lock_guard lock(mutex_);
    return summary_;
}

std::optional<std::string> certificate_store::reload() {
    certificate_summary s;
    std::shared_ptr<ssl::context> fresh;
    try {
        fresh = make_server_context(cert_file_, key_file_, &s);
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
    std::lock_guard lock(mutex_);
    context_ = std::move(fresh);
    summary_ = std::move(s);
    return std::nullopt;
}

}  // namespace wscam::tls
