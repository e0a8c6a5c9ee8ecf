#pragma once
// Where the lake lives in S3 ("s3://bucket/prefix") and how an object's URL is written:
// path-style (endpoint/bucket/key, for S3-compatible stores and emulators) or
// virtual-hosted (bucket.host/key, AWS's default). Keys are RFC 3986 encoded with '/'
// kept, since curl signs the path exactly as written.
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/aws/aws_config.h"

namespace eventlake::s3 {

struct S3Location {
  std::string bucket;
  std::string prefix;  // no leading or trailing '/'; may be empty

  // prefix + "/" + key (or key alone).
  std::string ObjectKey(std::string_view key) const;
  std::string Describe() const;  // "s3://bucket/prefix"
};

// "s3://bucket" or "s3://bucket/some/prefix/"; rejects other schemes and bad bucket names.
Result<S3Location> ParseS3Url(std::string_view url);

// The URL of an object (full key) with an optional canonical query ("uploads=").
std::string ObjectUrl(const aws::AwsConfig& config, const std::string& bucket, std::string_view full_key,
                      std::string_view canonical_query = {});

}  // namespace eventlake::s3
