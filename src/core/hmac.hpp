#pragma once

#include <string>
#include <string_view>

namespace wscam {

/** HMAC-SHA256 of `data` keyed with `key`, as 64 lowercase hex digits (OpenSSL's libcrypto). */
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace wscam
