#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

namespace wscam::tls {

/** What a loaded certificate says, for the log line at start and after a reload. */
struct certificate_summary {
    std::string subject;    // e.g. "CN=cam.example"
    std::string not_after;  // e.g. "Feb 26 09:00:00 2027 GMT"
    bool expired = false;
    int chain_length = 0;   // certificates after the leaf (intermediates)
    std::vector<std::string> dns_names;  // the leaf's subjectAltName DNS entries (names of this server)
};

/**
 * A TLS server context made from PEM files (a full chain in the certificate file works),
 * with modern settings only: TLS 1.2 and newer, the server's order of OpenSSL's default
 * ciphers, no renegotiation. Throws std::runtime_error naming the file and the reason.
 */
std::shared_ptr<boost::asio::ssl::context> make_server_context(const std::string& cert_file,
                                                                const std::string& key_file,
                                                                certificate_summary* summary = nullptr);

/**
 * The certificate and key in use. New connections take current(); a connection keeps the
 * context it began with, so a reload never touches open connections.
 */
class certificate_store {
public:
    /** Loads the files; throws std::runtime_error when they are unusable. */
    certificate_store(std::string cert_file, std::string key_file);

    std::shared_ptr<boost::asio::ssl::context> current() const;
    certificate_summary summary() const;

    /** Reads the files again; keeps the old certificate and returns why when they are unusable. */
    std::optional<std::string> reload();

    const std::string& cert_file() const { return cert_file_; }

private:
    std::string cert_file_, key_file_;
    mutable std::mutex mutex_;
    std::shared_ptr<boost::asio::ssl::context> context_;
    certificate_summary summary_;
};

}  // namespace wscam::tls
