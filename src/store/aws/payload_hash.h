#pragma once
// Payload digests for S3 (OpenSSL libcrypto): the hex SHA-256 that x-amz-content-sha256
// carries and SigV4 signs, and the base64 forms of x-amz-checksum-sha256 / Content-MD5.
#include <string>
#include <string_view>

namespace eventlake::aws {

// SHA-256 of the empty payload, hex.
inline constexpr std::string_view kEmptySha256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Sha256Hex(std::string_view data);
std::string Sha256Base64(std::string_view data);
std::string Md5Base64(std::string_view data);
std::string Base64(std::string_view bytes);

}  // namespace eventlake::aws
