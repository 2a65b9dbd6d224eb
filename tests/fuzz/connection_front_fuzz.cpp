// libFuzzer target: the first bytes anyone sends to wscam's port, end to end through what the
// server does with them (server/http_session, http_routes): Beast's TLS/plain detection on the
// bytes as they arrive; TLS goes on into a real OpenSSL server handshake with a real certificate
// (its answer is written back to the peer); plain goes through the HTTP parser with the server's
// limits, the router, the token (request_access: the token a request brings and the verdict on
// it), the origin and Host checks and the --require-tls redirect, and the answer is serialised.
// In memory (Beast's test stream), one byte split chosen by the input so partial reads are
// covered too.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "server/host_policy.hpp"
#include "server/origin_policy.hpp"
#include "server/request_access.hpp"
#include "server/router.hpp"
#include "server/tls_redirect.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;

namespace {

// A throwaway P-256 certificate, made once per process.
ssl::context& server_context() {
    static ssl::context* ctx = [] {
        auto* c = new ssl::context(ssl::context::tls_server);
        EVP_PKEY* key = EVP_EC_gen("P-256");
        X509* cert = X509_new();
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), 0);
        X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
        X509_set_pubkey(cert, key);
        X509_NAME* name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("fuzz"), -1, -1, 0);
        X509_set_issuer_name(cert, name);
        X509_sign(cert, key, EVP_sha256());
        SSL_CTX_set_min_proto_version(c->native_handle(), TLS1_2_VERSION);
        SSL_CTX_use_certificate(c->native_handle(), cert);
        SSL_CTX_use_PrivateKey(c->native_handle(), key);
        X509_free(cert);
        EVP_PKEY_free(key);
        return c;
    }();
    return *ctx;
}

// What http_routes answers a parsed request with, as far as the decision depends on the bytes.
http::response<http::string_body> answer(const http::request<http::string_body>& req) {
    const bool upgrade = beast::websocket::is_upgrade(req);
    const auto r = wscam::match_route(req.target(), upgrade, false, "default");
    http::response<http::string_body> res{http::status::not_found, req.version()};
    // The token it brings and the verdict on it (this node's tokens: a relayed verifier costs ~3 ms a token).
    static const wscam::stream_access_table access = [] {
        wscam::stream_access_table t;
        t.default_stream = "default";
        t.view_token = "view";
        t.control_token = "control";
        t.streams["own"] = {std::string("own-view"), std::string("own-control")};
        return t;
    }();
    static const wscam::publish_gate gate("publish", false);
    const auto token = wscam::request_token(req[http::field::authorization], req.target(), req[http::field::cookie]);
    const auto* stream_gate = r.kind == wscam::route_kind::publish_ws ? &gate : nullptr;
    (void)wscam::token_guards(r.kind, r.stream, access, stream_gate);
    const auto verdict = wscam::decide_access(r.kind, r.stream, token, access, stream_gate);
    if (!verdict.allowed) {
        res.result(http::status::unauthorized);
        res.body() = std::string(verdict.refusal) + "\n";
    }
    if (upgrade) {
        if (auto why = wscam::origin_refusal(req[http::field::origin], req[http::field::host], {})) {
            res.result(http::status::forbidden);
            res.body() = *why + "\n";
        }
    }
    // The DNS-rebinding check and the --require-tls redirect, on the Host Beast parsed.
    static const wscam::host_allow_list allowed({"cam.example"});
    if (auto refusal = wscam::check_host(req[http::field::host], allowed)) {
        res.result(static_cast<http::status>(refusal->status));
        res.body() = refusal->reason + "\n";
    } else if (auto location = wscam::https_location(req[http::field::host], req.target())) {
        res.result(http::status::permanent_redirect);
        res.set(http::field::location, *location);
    }
    if (r.kind == wscam::route_kind::health) {
        res.result(http::status::ok);
        res.body() = "ok\n";
    }
    res.set(http::field::server, "wscam");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::size_t split = size > 1 ? data[0] % size : 0;  // the peer's first write ends here
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

    net::io_context ioc;
    beast::test::stream server(ioc), peer(ioc);
    server.connect(peer);
    net::write(peer, net::buffer(bytes.data(), split));
    beast::flat_buffer buffer;
    bool tls = false;
    bool detected = false;
    beast::async_detect_ssl(server, buffer, [&](beast::error_code ec, bool is_tls) {
        detected = !ec;
        tls = is_tls;
    });
    ioc.poll();
    net::write(peer, net::buffer(bytes.data() + split, bytes.size() - split));
    server.close_remote();  // the rest arrives, then end of stream
    ioc.run();
    ioc.restart();
    if (!detected) return 0;

    if (tls) {
        ssl::stream<beast::test::stream&> secure(server, server_context());
        secure.async_handshake(ssl::stream_base::server, buffer.data(), [](beast::error_code, std::size_t) {});
        ioc.run();
        return 0;
    }
    beast::error_code ec;
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(64 * 1024);
    http::read(server, buffer, parser, ec);
    http::response<http::string_body> res;
    if (ec) {
        res = {http::status::bad_request, 11};
        res.body() = "bad request: " + ec.message() + "\n";
        res.keep_alive(false);
        res.prepare_payload();
    } else {
        res = answer(parser.get());
    }
    std::ostringstream serialised;
    serialised << res;
    if (serialised.str().rfind("HTTP/1.", 0) != 0) __builtin_trap();
    return 0;
}
