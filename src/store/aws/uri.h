#pragma once
// URL pieces that SigV4 signs as written. libcurl 7.88 signs the path and the query
// exactly as given, so they must already be in AWS's canonical form: RFC 3986
// percent-encoding (unreserved characters kept, '/' kept in object keys), query
// parameters sorted, and valueless parameters written "name=" ("uploads=").
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventlake::aws {

// Percent-encodes every byte outside A-Z a-z 0-9 - . _ ~ as %XX (upper-case hex);
// keeps '/' when keep_slash. UTF-8 is encoded byte by byte.
std::string UriEncode(std::string_view text, bool keep_slash);

// An S3 object key for the URL path: '/' kept, everything else per RFC 3986
// ("event_type=a b/x" -> "event_type%3Da%20b/x").
inline std::string EncodeS3Key(std::string_view key) { return UriEncode(key, /*keep_slash=*/true); }

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%20y&uploads=": names and values encoded, sorted by encoded name, then by
// encoded value; a parameter without value becomes "name=". Empty for no parameters.
std::string CanonicalQuery(const QueryParams& params);

}  // namespace eventlake::aws
