#include "store/s3/s3_location.h"

#include "store/aws/uri.h"

namespace eventlake::s3 {

std::string S3Location::ObjectKey(std::string_view key) const {
  while (!key.empty() && key.front() == '/') key.remove_prefix(1);
  return prefix.empty() ? std::string(key) : prefix + "/" + std::string(key);
}

std::string S3Location::Describe() const { return "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix); }

Result<S3Location> ParseS3Url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (url.substr(0, kScheme.size()) != kScheme)
    return Status::Error("lake URL \"" + std::string(url) + "\" must look like s3://bucket/prefix");
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  S3Location loc;
  loc.bucket = std::string(rest.substr(0, slash));
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.remove_suffix(1);
  while (!prefix.empty() && prefix.front() == '/') prefix.remove_prefix(1);
  loc.prefix = std::string(prefix);
  // S3 bucket naming rules: 3-63 characters of a-z 0-9 . -, starting and ending alphanumeric.
  const std::string& b = loc.bucket;
  bool ok = b.size() >= 3 && b.size() <= 63;
  for (char c : b) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-');
  ok = ok && b.front() != '.' && b.front() != '-' && b.back() != '.' && b.back() != '-';
  if (!ok) return Status::Error("\"" + b + "\" in " + std::string(url) + " is not a valid S3 bucket name");
  if (loc.prefix.find("//") != std::string::npos)
    return Status::Error("lake prefix \"" + loc.prefix + "\" has an empty path segment");
  return loc;
}

std::string ObjectUrl(const aws::AwsConfig& config, const std::string& bucket, std::string_view full_key,
                      std::string_view canonical_query) {
  std::string url;
  const std::string& endpoint = config.s3_endpoint;
  if (config.s3_path_style) {
    url = endpoint + "/" + bucket + "/";
  } else {
    const size_t host_at = endpoint.find("://") + 3;
    url = endpoint.substr(0, host_at) + bucket + "." + endpoint.substr(host_at) + "/";
  }
  url += aws::EncodeS3Key(full_key);
  if (!canonical_query.empty()) {
    url.push_back('?');
    url.append(canonical_query);
  }
  return url;
}

}  // namespace eventlake::s3
