#pragma once
// Strict standard base64 (RFC 4648 §4, "+/" alphabet) decoding for Kinesis record data.
// Written here rather than with OpenSSL's EVP_DecodeBlock, which counts '=' padding as
// zero bytes in its result and accepts stray whitespace: the data of a record must come
// back byte for byte.
#include <string>
#include <string_view>

namespace eventlake::kinesis {

// Appends the bytes `in` encodes to `out`. Input must be padded (length a multiple of
// 4, at most two '=' at the very end); anything else (other characters, whitespace, a
// short final group) fails and leaves `out` as it was.
[[nodiscard]] bool AppendBase64Decoded(std::string& out, std::string_view in);

}  // namespace eventlake::kinesis
