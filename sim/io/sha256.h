#pragma once
// SHA-256 of a byte string, as 64 lowercase hex digits (OpenSSL libcrypto, EVP API).
#include <string>
#include <string_view>

namespace sco::io {

/// Throws std::runtime_error if OpenSSL fails (it does not for valid input).
std::string sha256_hex(std::string_view data);

}  // namespace sco::io
