#pragma once
// Credentials, region and per-service endpoints, read the way the AWS SDKs read them:
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_REGION then
// AWS_DEFAULT_REGION, and AWS_ENDPOINT_URL_<SERVICE> then AWS_ENDPOINT_URL then the
// public endpoint. The environment is passed in as a lookup so tests never touch the
// process environment. Nothing here prints a secret: Describe() masks it.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace eventlake::aws {

enum class Service { kS3, kDynamoDb, kKinesis };

// The SigV4 signing name ("s3", "dynamodb", "kinesis").
std::string_view SigningName(Service service);

// name -> value, or nullopt when unset. An empty value counts as unset (as in the SDKs).
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup ProcessEnv();
EnvLookup MapEnv(std::map<std::string, std::string> values);

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty = long-term keys; sent as x-amz-security-token
};

// Values from command-line flags; each one wins over the environment.
struct AwsConfigOverrides {
  std::optional<std::string> region;
  std::optional<std::string> endpoint_url;  // all services
  std::optional<std::string> s3_endpoint;
  std::optional<std::string> dynamodb_endpoint;
  std::optional<std::string> kinesis_endpoint;
  std::optional<bool> s3_path_style;
};

struct AwsConfig {
  Credentials credentials;
  std::string region;
  // Scheme + host [+ port], no trailing slash ("https://dynamodb.eu-west-1.amazonaws.com").
  std::string s3_endpoint;
  std::string dynamodb_endpoint;
  std::string kinesis_endpoint;
  // Path-style S3 addressing (endpoint/bucket/key). Defaults to on when the S3 endpoint
  // is overridden (S3-compatible stores, emulators), off for AWS itself.
  bool s3_path_style = false;

  const std::string& Endpoint(Service service) const;
  // One line for logs and reports, with the secret and the session token masked.
  std::string Describe() const;
};

// Fails with a message naming the missing or malformed variable.
Result<AwsConfig> LoadAwsConfig(const EnvLookup& env, const AwsConfigOverrides& overrides = {});

// "AKIDEXAMPLE" -> "AKID…(11 chars)": enough to tell keys apart, never the whole key.
std::string MaskKeyId(std::string_view key_id);

}  // namespace eventlake::aws
